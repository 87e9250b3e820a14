//go:build !unix

package yeastartest

import "net"

// reservePort finds a free port of host and leaves it closed, so that a
// connection to it is refused. Without a bound socket to hold it, another
// listener may take the port later.
func reservePort(host string) (addr string, closePort func() error, err error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return "", nil, err
	}
	addr = ln.Addr().String()
	if err := ln.Close(); err != nil {
		return "", nil, err
	}
	return addr, func() error { return nil }, nil
}
