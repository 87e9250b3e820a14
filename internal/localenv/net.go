package localenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"time"
)

// FreeAddr returns a loopback address with a port that was free a moment ago.
func FreeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		return "", err // the port may still be taken
	}
	return addr, nil
}

// startOnFreeAddrs starts the command cmdFor builds for nAddrs free
// loopback addresses, its output going to out, and waits until it listens on
// the first; what names the process in errors. A port is only free until
// somebody takes it: an outgoing connection of a test running alongside may
// be given it before the process binds it, and the process then exits. So a
// process that exits before listening is started again on fresh addresses,
// up to startAttempts times in all.
func startOnFreeAddrs(ctx context.Context, what string, out io.Writer, nAddrs int, cmdFor func(addrs []string) *exec.Cmd) (*process, []string, error) {
	var err error
	for range startAttempts {
		addrs := make([]string, nAddrs)
		for i := range addrs {
			if addrs[i], err = FreeAddr(); err != nil {
				return nil, nil, err
			}
		}
		proc, serr := start(cmdFor(addrs), out)
		if serr != nil {
			return nil, nil, fmt.Errorf("localenv: start %s: %w", what, serr)
		}
		if err = waitListening(ctx, addrs[0], proc.exited()); err == nil {
			return proc, addrs, nil
		}
		_ = proc.stop()
		err = fmt.Errorf("localenv: %s: %w", what, err)
		if !errors.Is(err, errExitedEarly) {
			break
		}
	}
	return nil, nil, err
}

// startAttempts bounds startOnFreeAddrs: a process that exits before
// listening this many times on fresh ports is broken, not unlucky.
const startAttempts = 3

// errExitedEarly is waitListening's error for a process that ended first.
var errExitedEarly = errors.New("process exited before listening")

// waitListening polls addr until it accepts a TCP connection, the process
// exits (done is closed) or ctx ends.
func waitListening(ctx context.Context, addr string, done <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return c.Close()
		}
		select {
		case <-done:
			return fmt.Errorf("%w on %s", errExitedEarly, addr)
		case <-ctx.Done():
			return fmt.Errorf("nothing listening on %s: %w", addr, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
