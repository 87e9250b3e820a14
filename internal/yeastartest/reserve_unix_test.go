//go:build unix

package yeastartest

import (
	"errors"
	"net"
	"net/url"
	"syscall"
	"testing"
)

// TestDownPBXHoldsItsPort: no listener can take a down PBX's port while
// the fleet runs, so its connections stay refused; Close frees it.
func TestDownPBXHoldsItsPort(t *testing.T) {
	f, err := NewFleet([]PBXSpec{{ID: "down", Fault: Fault{Down: true}}}, FleetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u, err := url.Parse(f.PBX("down").URL)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", u.Host)
	if err == nil {
		ln.Close()
		t.Fatalf("listened on the down PBX's %s", u.Host)
	}
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("listen on %s: %v, want address in use", u.Host, err)
	}
	f.Close()
	ln, err = net.Listen("tcp", u.Host)
	if err != nil {
		t.Fatalf("after Close, listen on %s: %v", u.Host, err)
	}
	ln.Close()
}
