package reconcile_test

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/pkg/reconcile"
	"github.com/recording-sync/recording-sync/pkg/seal"
	"github.com/recording-sync/recording-sync/pkg/yeastar/yeastartest"
)

func TestSealedStateIsUnreadableAndBound(t *testing.T) {
	e := newEnv(t, yeastartest.Options{})
	key, err := seal.NewKey(clientSecret, reconcile.StatePurpose)
	if err != nil {
		t.Fatal(err)
	}
	store := reconcile.NewS3StateStore(e.s3, e.bucket, stateKey, reconcile.SealedJSON(key, e.bucket, stateKey))
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	e.add(start, time.Minute, 4242, 3, nil)
	o := e.opts
	r := reconcile.New(e.pbx, e.s3, e.bucket, e.keys, e.queue, store, &o)
	if _, err := r.Run(t.Context(), window(t, start, start.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	st, version, err := store.Load(t.Context())
	if err != nil || version == "" || st.Queued.Len() != 3 {
		t.Fatalf("load: %d queued, version %q, %v", st.Queued.Len(), version, err)
	}
	out, err := e.s3.Client.GetObject(t.Context(), &s3.GetObjectInput{Bucket: &e.bucket, Key: aws.String(stateKey)})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if bytes.Contains(raw, []byte("queued")) || raw[0] != seal.Version {
		t.Fatalf("state object is readable: %q", raw[:min(len(raw), 40)])
	}
	// The same bytes under another key do not open: a writer cannot plant
	// a state copied from elsewhere.
	other := "elsewhere/state.json"
	if _, err := e.s3.Client.PutObject(t.Context(), &s3.PutObjectInput{Bucket: &e.bucket, Key: &other, Body: bytes.NewReader(raw)}); err != nil {
		t.Fatal(err)
	}
	moved := reconcile.NewS3StateStore(e.s3, e.bucket, other, reconcile.SealedJSON(key, e.bucket, other))
	if _, _, err := moved.Load(t.Context()); !errors.Is(err, seal.ErrOpen) {
		t.Errorf("moved state: %v, want seal.ErrOpen", err)
	}
	// A conditional write on a stale version is refused.
	if _, err := store.Save(t.Context(), st, `"stale"`); !errors.Is(err, reconcile.ErrConflict) {
		t.Errorf("stale save: %v, want ErrConflict", err)
	}
}
