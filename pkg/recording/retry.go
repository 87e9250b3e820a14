package recording

import (
	"math/rand/v2"
	"time"
)

// RetryPolicy bounds the attempts of one failure class.
type RetryPolicy struct {
	Attempts int           // attempts in all, the first included
	Base     time.Duration // wait before the second attempt; doubles after each
	Max      time.Duration // longest wait
}

// Backoff returns the wait before attempt n+1 (n >= 1): exponential with
// full jitter over its upper half, so instances that failed together do not
// retry together. The copy and the reconciler's searches both use it.
func (p RetryPolicy) Backoff(n int) time.Duration {
	d := p.Base
	for i := 1; i < n && d < p.Max; i++ {
		d *= 2
	}
	d = min(d, p.Max)
	return d/2 + rand.N(d/2+1)
}
