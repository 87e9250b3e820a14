package tokencache

import (
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// TestTrustedBounds: the edges of what an entry read from the store may
// claim, each on both sides.
func TestTrustedBounds(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	token := func(issued time.Time, access, refresh time.Duration) yeastar.Token {
		return yeastar.Token{Access: "access", Refresh: "refresh", Issued: issued,
			AccessExpires: issued.Add(access), RefreshExpires: issued.Add(refresh)}
	}
	tests := []struct {
		name string
		e    Entry
		want bool
	}{
		{"empty", Entry{}, true},
		{"documented lifetimes", Entry{Token: token(now, 30*time.Minute, 24*time.Hour)}, true},
		{"access past 30 minutes", Entry{Token: token(now, 30*time.Minute+time.Second, time.Hour)}, false},
		{"refresh past 24 hours", Entry{Token: token(now, 30*time.Minute, 24*time.Hour+time.Second)}, false},
		{"expired long ago is still within bounds", Entry{Token: token(now.Add(-48*time.Hour), 30*time.Minute, 24*time.Hour)}, true},
		{"issued within the skew", Entry{Token: token(now.Add(maxSkew), 30*time.Minute, time.Hour)}, true},
		{"issued in the future", Entry{Token: token(now.Add(maxSkew+time.Second), 30*time.Minute, time.Hour)}, false},
		{"expires at issue", Entry{Token: token(now, 0, time.Hour)}, false},
		{"no access token", Entry{Token: yeastar.Token{Refresh: "refresh", Issued: now}}, false},
		{"lease at the bound", Entry{Lease: Lease{Holder: "h", Until: now.Add(maxLease), Code: yeastar.CodeFailure}}, true},
		{"lease past the bound", Entry{Lease: Lease{Holder: "h", Until: now.Add(maxLease + time.Second)}}, false},
		{"lease with 60002", Entry{Lease: Lease{Holder: "h", Until: now.Add(time.Second), Code: yeastar.CodeMaxLimitation}}, true},
		{"lease with another code", Entry{Lease: Lease{Holder: "h", Until: now.Add(time.Second), Code: 10004}}, false},
		{"good token, bad lease", Entry{Token: token(now, 30*time.Minute, time.Hour), Lease: Lease{Holder: "h", Until: now.Add(time.Hour)}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := trusted(tt.e, now)
			if trustedOK := got == tt.e; trustedOK != tt.want {
				t.Errorf("trusted = %+v, want trusted %v", got, tt.want)
			}
			if !tt.want && got != (Entry{}) {
				t.Errorf("an untrusted entry is not treated as absent: %+v", got)
			}
		})
	}
	if maxLease < failedLoginHold || DefaultLeaseDuration > maxLease {
		t.Errorf("maxLease %v does not cover the leases this package writes", maxLease)
	}
}
