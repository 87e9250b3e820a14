package reconcile_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/reconcile"
	"github.com/recording-sync/recording-sync/pkg/seal"
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
	if got, v, err := moved.Load(t.Context()); err != nil || v == "" || got.Queued.Len() != 0 {
		t.Errorf("moved state: %d queued, version %q, %v; want the empty state at its version", got.Queued.Len(), v, err)
	}
	// A conditional write on a stale version is refused.
	if _, err := store.Save(t.Context(), st, `"stale"`); !errors.Is(err, reconcile.ErrConflict) {
		t.Errorf("stale save: %v, want ErrConflict", err)
	}
}

// A state object that does not open (the PBX client secret was rotated, so
// its seal key changed), does not parse, or is too large is the empty
// state at its version: the run goes on, and its Save replaces the object.
func TestUnreadableStateIsEmptyAndReplaced(t *testing.T) {
	e := newEnv(t, yeastartest.Options{})
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	e.add(start, time.Minute, 4242, 3, nil)
	sealedWith := func(secret string) reconcile.StateStore {
		key, err := seal.NewKey(secret, reconcile.StatePurpose)
		if err != nil {
			t.Fatal(err)
		}
		return reconcile.NewS3StateStore(e.s3, e.bucket, stateKey, reconcile.SealedJSON(key, e.bucket, stateKey))
	}
	run := func(store reconcile.StateStore) (reconcile.Result, error) {
		o := e.opts
		return reconcile.New(e.pbx, e.s3, e.bucket, e.keys, e.queue, store, &o).Run(t.Context(), window(t, start, start.Add(time.Hour)))
	}
	if _, err := run(sealedWith(clientSecret)); err != nil {
		t.Fatal(err)
	}
	rotated := sealedWith("rotated-secret-5d2e")
	res, err := run(rotated)
	if err != nil {
		t.Fatalf("run after rotating the client secret: %v", err)
	}
	// The state was lost, so the 3 missing recordings are queued again.
	if res.Queued != 3 || len(e.queue.ids()) != 6 {
		t.Errorf("queued %d (%d in all), want 3 again", res.Queued, len(e.queue.ids()))
	}
	if st, v, err := rotated.Load(t.Context()); err != nil || v == "" || st.Queued.Len() != 3 {
		t.Errorf("state under the new secret: %d queued, version %q, %v", st.Queued.Len(), v, err)
	}

	plain := reconcile.NewS3StateStore(e.s3, e.bucket, stateKey, nil)
	for name, body := range map[string][]byte{
		"not JSON":         []byte("\x00garbage"),
		"not state":        []byte(`{"queued":{"ids":"!!"}}`),
		"too large":        bytes.Repeat([]byte(" "), 8<<20+1),
		"too many cursors": []byte(`{"cursors":[` + strings.Repeat(`{"page":1},`, reconcile.MaxCursors) + `{"page":1}],"queued":{}}`),
	} {
		put, err := e.s3.Client.PutObject(t.Context(), &s3.PutObjectInput{Bucket: &e.bucket, Key: aws.String(stateKey), Body: bytes.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		st, v, err := plain.Load(t.Context())
		if err != nil || v != aws.ToString(put.ETag) || st.Queued.Len() != 0 || len(st.Cursors) != 0 {
			t.Errorf("%s: %d queued, version %q (want %q), %v", name, st.Queued.Len(), v, aws.ToString(put.ETag), err)
			continue
		}
		if _, err := plain.Save(t.Context(), st, v); err != nil {
			t.Errorf("%s: replacing it: %v", name, err)
		}
	}
}
