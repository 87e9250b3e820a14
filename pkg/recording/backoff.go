package recording

import "time"

// Backoff returns the wait before attempt n+1 (n >= 1) under p: the same
// exponential backoff with jitter the copy uses, for callers that retry
// PBX requests of their own (the reconciler's searches).
func (p RetryPolicy) Backoff(n int) time.Duration { return p.backoff(n) }
