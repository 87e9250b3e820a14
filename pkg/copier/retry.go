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
	// serves one at a time, and a recording takes seconds to download. A
	// copy with a deadline waits as long as it allows (Copier.again); the
	// reconciler's searches and a copy without one make Attempts attempts.
	DefaultBusyRetry = recording.RetryPolicy{Attempts: 12, Base: 500 * time.Millisecond, Max: 5 * time.Second}
)

const (
	// DefaultMaxResumes bounds how often one download is resumed.
	DefaultMaxResumes = 5
	// DefaultStallTimeout is how long a download may deliver no byte
	// before it counts as dropped and is resumed. It stays well under the
	// time S3 lets a request's body go quiet (about 20 s, then 400
	// RequestTimeout): a streamed PutObject is fed by the download, so a
	// resume must bring bytes again before S3 gives up on the upload.
	DefaultStallTimeout = 10 * time.Second
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

// again waits before another attempt after the n-th failure of class in
// one copy, and reports whether to make it. Each class has its own count,
// so that waiting out a busy PBX does not spend the transient retries.
//
// A busy PBX (70082: with the .mp3 download format it serves one download
// at a time) is waited out for as long as the copy's deadline allows: the
// answer says another download runs, not that anything failed, and giving
// up would hide the message for the queue's visibility timeout (30 minutes)
// and spend one of its receives, while a PBX that is seldom idle leaves
// an .mp3 few chances to start. Without a deadline (no invocation
// bounds the copy), BusyRetry.Attempts bounds it. A BusyGate in ctx may
// end the wait sooner (WithBusyGate).
func (c *Copier) again(ctx context.Context, class Class, n int) bool {
	var policy recording.RetryPolicy
	switch class {
	case ClassTransient:
		policy = c.opts.TransientRetry
	case ClassNotYetAvailable:
		policy = c.opts.NotYetAvailableRetry
	case ClassBusy:
		policy = c.opts.BusyRetry
	default:
		return false // permanent or invalid input: never retried
	}
	_, bounded := ctx.Deadline()
	if n >= policy.Attempts && (class != ClassBusy || !bounded) {
		return false
	}
	if class == ClassBusy {
		return waitBusy(ctx, policy.Backoff(n))
	}
	return sleep(ctx, policy.Backoff(n))
}

// sleep waits d unless ctx ends first or the wait would leave less than
// minAttempt before ctx's deadline; it reports whether another attempt is
// worth making.
func sleep(ctx context.Context, d time.Duration) bool {
	return worthWaiting(ctx, d) && wait.For(ctx, d) == nil
}

// worthWaiting reports whether waiting d leaves at least minAttempt before
// ctx's deadline.
func worthWaiting(ctx context.Context, d time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return !ok || time.Until(deadline) >= d+minAttempt
}
