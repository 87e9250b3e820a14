package copier

import (
	"github.com/recording-sync/recording-sync/internal/wait"

	"context"
	"time"

	"github.com/recording-sync/recording-sync/pkg/recording"
)

// Defaults for Options.
var (
	DefaultTransientRetry       = recording.RetryPolicy{Attempts: 5, Base: 250 * time.Millisecond, Max: 5 * time.Second}
	DefaultNotYetAvailableRetry = recording.RetryPolicy{Attempts: 4, Base: time.Second, Max: 8 * time.Second}
	// DefaultBusyRetry waits for another mp3 download to end: the PBX
	// serves one at a time, and a recording takes seconds to download.
	DefaultBusyRetry = recording.RetryPolicy{Attempts: 12, Base: 500 * time.Millisecond, Max: 5 * time.Second}
)

const (
	// DefaultMaxResumes bounds how often one download is resumed.
	DefaultMaxResumes = 5
	// DefaultStallTimeout is how long a download may deliver no byte
	// before it counts as dropped.
	DefaultStallTimeout = 30 * time.Second
	// minAttempt is the least time worth starting another attempt with.
	minAttempt = time.Second
)

// reserveFor is how long before ctx's deadline a copy stops, so that it can
// abort its upload and answer before Lambda kills the invocation: a tenth
// of the time left, between 1 and 10 seconds.
func reserveFor(ctx context.Context) time.Duration {
	deadline, ok := ctx.Deadline()
	if !ok {
		return 0
	}
	return min(max(time.Until(deadline)/10, time.Second), 10*time.Second)
}

// sleep waits d unless ctx ends first or the wait would leave less than
// minAttempt before ctx's deadline; it reports whether another attempt is
// worth making.
func sleep(ctx context.Context, d time.Duration) bool {
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d+minAttempt {
		return false
	}
	return wait.For(ctx, d) == nil
}
