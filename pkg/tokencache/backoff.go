package tokencache

import (
	"fmt"
	"sync"
	"time"

	"github.com/recording-sync/recording-sync/internal/opt"
)

// Defaults of a LoginBackoff.
const (
	// DefaultLoginFailures is how many logins in a row may fail before a
	// LoginBackoff stops asking: below the 5 failed logins after which a
	// PBX blocks the caller's IP.
	DefaultLoginFailures = 3
	// DefaultLoginBackoff is how long a LoginBackoff stops asking.
	DefaultLoginBackoff = time.Minute
)

// LoginBackoff stops a Source from logging in to a PBX whose last logins
// all failed (connection refused, timeouts, errors): after Failures in a
// row it refuses every token renewal for Backoff, then lets one login
// through, and stops again if that one fails too. The copies of a PBX that
// is down so fail fast, without waiting on it, and the PBX is not hammered
// when it comes back. It is safe for concurrent use; one serves one PBX.
type LoginBackoff struct {
	failures int
	backoff  time.Duration
	now      func() time.Time

	mu     sync.Mutex
	failed int       // logins failed in a row
	until  time.Time // no login before then
	last   string    // the last failure, for BackoffError
}

// NewLoginBackoff returns a LoginBackoff stopping for backoff after failures
// failed logins in a row (defaults DefaultLoginFailures and
// DefaultLoginBackoff for values <= 0); now is its clock (default time.Now).
func NewLoginBackoff(failures int, backoff time.Duration, now func() time.Time) *LoginBackoff {
	if now == nil {
		now = time.Now
	}
	return &LoginBackoff{failures: opt.Positive(failures, DefaultLoginFailures), backoff: opt.Positive(backoff, DefaultLoginBackoff), now: now}
}

// check returns a *BackoffError while logins are stopped. A nil
// LoginBackoff never stops them.
func (b *LoginBackoff) check() error {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failed >= b.failures && b.now().Before(b.until) {
		return &BackoffError{Failures: b.failed, Until: b.until, Last: b.last}
	}
	return nil
}

// record takes in the outcome of one login.
func (b *LoginBackoff) record(err error) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err == nil {
		b.failed, b.last = 0, ""
		return
	}
	b.failed++
	b.last = err.Error()
	if b.failed >= b.failures {
		b.until = b.now().Add(b.backoff)
	}
}

// BackoffError is a token renewal refused because the PBX's last logins
// all failed: the PBX is not asked again before Until. The copy is worth
// retrying later, not now.
type BackoffError struct {
	Failures int       // logins failed in a row
	Until    time.Time // no login before then
	Last     string    // the last login's error text (secrets are redacted by the caller's redactor)
}

func (e *BackoffError) Error() string {
	return fmt.Sprintf("tokencache: the PBX's last %d logins failed, not trying again before %s (last: %s)",
		e.Failures, e.Until.UTC().Format(time.RFC3339), e.Last)
}
