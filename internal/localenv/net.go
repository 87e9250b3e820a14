package localenv

import (
	"context"
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

// startListening starts cmd, its output going to out, and waits until it
// listens on addr; what names the process in errors.
func startListening(ctx context.Context, cmd *exec.Cmd, out io.Writer, addr, what string) (*process, error) {
	proc, err := start(cmd, out)
	if err != nil {
		return nil, fmt.Errorf("localenv: start %s: %w", what, err)
	}
	if err := waitListening(ctx, addr, proc.exited()); err != nil {
		_ = proc.stop()
		return nil, fmt.Errorf("localenv: %s: %w", what, err)
	}
	return proc, nil
}

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
			return fmt.Errorf("process exited before listening on %s", addr)
		case <-ctx.Done():
			return fmt.Errorf("nothing listening on %s: %w", addr, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
