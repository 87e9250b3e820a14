// Package cli is what the commands under cmd/ share: a main that an
// interrupt or SIGTERM cancels, and one way from an error to an exit code.
package cli

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// Main runs run under a context that an interrupt or SIGTERM cancels, then
// exits as Exit says of its error.
func Main(name string, run func(context.Context) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx)
	stop() // not deferred: os.Exit skips deferred calls
	os.Exit(Exit(name, err, os.Stderr))
}
