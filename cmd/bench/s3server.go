package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"syscall"
	"time"

	"github.com/recording-sync/recording-sync/pkg/localenv"
)

// s3Server is versitygw serving a folder over HTTPS on loopback.
type s3Server struct {
	Endpoint string // https://127.0.0.1:PORT
	cmd      *exec.Cmd
	done     chan struct{}
}

// startS3 runs versitygw with cert over dataDir; its log goes to out.
// localenv.StartS3 serves plain HTTP only, hence this twin.
func startS3(ctx context.Context, dataDir string, cert *certFiles, out io.Writer) (*s3Server, error) {
	bin, err := localenv.Tool(ctx, "versitygw")
	if err != nil {
		return nil, err
	}
	addr, err := localenv.FreeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "--access", localenv.S3AccessKey, "--secret", localenv.S3SecretKey, //nolint:gosec // the pinned tool, with our own arguments
		"--region", localenv.S3Region, "--port", addr, "--cert", cert.CertFile, "--key", cert.KeyFile,
		"--quiet", "posix", dataDir)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start S3 server: %w", err)
	}
	s := &s3Server{Endpoint: "https://" + addr, cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait() // the exit status of a server we stop is of no interest
		close(s.done)
	}()
	if err := waitListening(ctx, addr, s.done); err != nil {
		s.Close()
		return nil, fmt.Errorf("S3 server: %w", err)
	}
	return s, nil
}

// Close stops the server: SIGTERM, then SIGKILL after a grace period.
func (s *s3Server) Close() {
	pgid := -s.cmd.Process.Pid
	_ = syscall.Kill(pgid, syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(pgid, syscall.SIGKILL)
		<-s.done
	}
}

// waitListening polls addr until it accepts a connection, the process exits
// (done is closed) or a minute has passed.
func waitListening(ctx context.Context, addr string, done <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			return c.Close()
		}
		select {
		case <-done:
			return errors.New("exited before listening on " + addr)
		case <-ctx.Done():
			return fmt.Errorf("nothing listening on %s: %w", addr, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
