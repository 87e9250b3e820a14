package reconcile

import (
	"context"

	"github.com/recording-sync/recording-sync/pkg/sealedobj"
)

// DefaultStateKey is where the state lives by default, beside the shared
// PBX token (config.DefaultTokenCacheKey), outside the recordings' prefix.
const DefaultStateKey = ".recording-sync/reconcile-state.json"

// StatePurpose is the seal purpose of the reconciler's state: its key is
// derived from the PBX client secret for this purpose only.
const StatePurpose = "recording-sync/reconcile-state/v1"

// maxStateSize bounds what Load reads: MaxQueued entries take far less.
const maxStateSize = 8 << 20

// ErrConflict is a Save whose condition failed: another run wrote first.
var ErrConflict = sealedobj.ErrConflict

// S3StateStore keeps the State in one sealed object (package sealedobj):
// a reader of the bucket learns nothing from it and a writer cannot steer
// the reconciler with it. Its versions are ETags and every write is
// conditional, like the shared token's. An object that does not open
// (sealed under a rotated PBX client secret or for another place, altered,
// too large, not a state) is reported by Load as a
// *sealedobj.UnreadableError with its version: the run starts from the
// empty state, says why, and its Save replaces the object. What it held
// is lost (unfinished windows are dropped, recently queued recordings may
// be queued once more), while refusing it would stop every run.
type S3StateStore struct {
	obj *sealedobj.Store[State]
}

// NewS3StateStore keeps the state in s3://bucket/key, sealed under the key
// derived from the PBX client secret for StatePurpose.
func NewS3StateStore(client sealedobj.API, bucket, key, clientSecret string) (*S3StateStore, error) {
	obj, err := sealedobj.New[State](client, bucket, key, clientSecret, StatePurpose, maxStateSize)
	if err != nil {
		return nil, err
	}
	return &S3StateStore{obj: obj}, nil
}

// Load reads the state and its version; see S3StateStore for an object
// that does not open.
func (s *S3StateStore) Load(ctx context.Context) (State, string, error) {
	return s.obj.LoadStrict(ctx)
}

// Save writes st if the object is still at version prev ("" = none yet);
// otherwise it fails with an error matching ErrConflict.
func (s *S3StateStore) Save(ctx context.Context, st State, prev string) (string, error) {
	return s.obj.Save(ctx, st, prev)
}
