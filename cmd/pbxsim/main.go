package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/recording-sync/recording-sync/internal/cli"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

// shutdownTimeout bounds how long requests in flight may take after a signal.
const shutdownTimeout = 5 * time.Second

func main() {
	cli.Main("pbxsim", func(ctx context.Context) error {
		return run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	})
}

// run serves the simulator described by args until ctx is done. It writes
// the "listening" line to stdout once the listener is open.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "post-event" {
		return postEvent(ctx, args[1:], getenv, stdout, stderr)
	}
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return cli.UsageError{Err: err}
	}
	if cfg.pbxs != nil {
		return serveFleet(ctx, cfg, stdout)
	}
	sim := yeastartest.New(cfg.options())
	defer sim.Close()
	for _, r := range cfg.recordings {
		sim.AddRecording(r)
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	if _, err := fmt.Fprintf(stdout, "PBX simulator listening on http://%s\n", ln.Addr()); err != nil {
		_ = srv.Close()
		return err
	}
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	sim.Close() // stops throttled downloads, which Shutdown would wait for
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return srv.Close()
	}
	return nil
}
