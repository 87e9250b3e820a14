package tokencache

import (
	"time"

	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// Bounds on what an entry read from the store may claim. Even a sealed
// entry is checked: an old one can be replayed by anyone who can write to
// the bucket, and a clock or a bug must not make a lease or a token last
// longer than the PBX and this package ever allow.
const (
	// maxLease is the longest lease this package writes (the hold after a
	// failed login) plus a margin for clocks that differ between instances.
	maxLease = failedLoginHold + maxSkew
	// maxAccessLife and maxRefreshLife are the PBX's documented token
	// lifetimes (30 minutes, 24 hours).
	maxAccessLife  = 30 * time.Minute
	maxRefreshLife = 24 * time.Hour
	// maxSkew is how far in the future a token may have been issued.
	maxSkew = time.Minute
)

// trusted returns e if every deadline in it lies within what the PBX and
// this package allow at now, else the zero Entry: treated as absent, it is
// replaced by the next renewal.
func trusted(e Entry, now time.Time) Entry {
	if !leaseTrusted(e.Lease, now) || !tokenTrusted(e.Token, now) {
		return Entry{}
	}
	return e
}

// leaseTrusted: no lease, or one ending at most maxLease from now, with a
// code this package writes.
func leaseTrusted(l Lease, now time.Time) bool {
	if l == (Lease{}) {
		return true
	}
	switch l.Code {
	case 0, yeastar.CodeFailure, yeastar.CodeMaxLimitation:
	default:
		return false
	}
	return !l.Until.After(now.Add(maxLease))
}

// tokenTrusted: no token, or one issued not after now (give or take
// maxSkew) whose access token expires after issue and at most 30 minutes
// later, and whose refresh token expires at most 24 hours after issue.
func tokenTrusted(t yeastar.Token, now time.Time) bool {
	if t == (yeastar.Token{}) {
		return true
	}
	return t.Access != "" &&
		!t.Issued.After(now.Add(maxSkew)) &&
		t.AccessExpires.After(t.Issued) &&
		!t.AccessExpires.After(t.Issued.Add(maxAccessLife)) &&
		!t.RefreshExpires.After(t.Issued.Add(maxRefreshLife))
}
