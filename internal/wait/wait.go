// Package wait holds the one way the functions pause between attempts:
// a timer that the request's context can cut short.
package wait

import (
	"context"
	"time"
)

// For waits d or until ctx ends, whichever is first; it returns ctx's
// error if ctx ended first.
func For(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
