package tokencache

import (
	"context"
	"time"

	"github.com/recording-sync/recording-sync/pkg/sealedobj"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// ErrConflict is returned by Store.Save when the stored entry is no longer
// the version the write was conditional on: another instance wrote first.
var ErrConflict = sealedobj.ErrConflict

// Entry is the shared object: the token all instances use and the lease of
// the instance renewing it. The zero Entry holds no token and no lease.
type Entry struct {
	Token yeastar.Token `json:"token,omitzero"`
	Lease Lease         `json:"lease,omitzero"`
}

// Lease is the right of Holder to renew the token, until Until. A lease
// with Code set records a failed renewal that no instance may retry before
// Until: yeastar.CodeFailure (bad credentials: retrying would get the IP
// blocked) or yeastar.CodeMaxLimitation (no free token slot yet).
type Lease struct {
	Holder string    `json:"holder"`
	Until  time.Time `json:"until"`
	Code   int       `json:"errcode,omitempty"`
}

// activeAt reports whether the lease still binds other instances at now.
func (l Lease) activeAt(now time.Time) bool {
	return l.Holder != "" && now.Before(l.Until)
}

// Store keeps the shared Entry with versioned, conditional writes.
type Store interface {
	// Load returns the entry and its version; version "" means there is no
	// entry yet (and the Entry is zero). A stored entry that cannot be
	// trusted is returned as the zero Entry with its version, so that Save
	// replaces it.
	Load(ctx context.Context) (e Entry, version string, err error)
	// Save writes e if the stored version is still prev, or, with prev "",
	// only if there is no entry. It returns the new version, or an error
	// matching ErrConflict when the condition failed.
	Save(ctx context.Context, e Entry, prev string) (version string, err error)
}
