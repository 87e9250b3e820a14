package reconcile_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/reconcile"
	"github.com/recording-sync/recording-sync/pkg/seal"
	"github.com/recording-sync/recording-sync/pkg/sealedobj"
)

// TestSealedStateIsUnreadableAndBound: the state a run saves shows nothing
// to a reader of the bucket, and its bytes moved to another key of the
// bucket, or to the same key of another bucket, are the empty state: a
// writer cannot plant a state copied from elsewhere.
func TestSealedStateIsUnreadableAndBound(t *testing.T) {
	e := newEnv(t, yeastartest.Options{})
	store := e.stateStore()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	e.add(start, time.Minute, 4242, 3, nil)
	if _, err := e.reconciler(nil).Run(t.Context(), window(t, start, start.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	st, version, err := store.Load(t.Context())
	if err != nil || version == "" || st.Queued.Len() != 3 {
		t.Fatalf("load: %d queued, version %q, %v", st.Queued.Len(), version, err)
	}
	raw := server.Object(t, e.bucket, stateKey)
	if bytes.Contains(raw, []byte("queued")) || raw[0] != seal.Version {
		t.Fatalf("state object is readable: %q", raw[:min(len(raw), 40)])
	}
	other := server.NewBucket(t)
	for name, place := range map[string]struct{ bucket, key string }{
		"another key":    {e.bucket, "elsewhere/state.json"},
		"another bucket": {other, stateKey},
	} {
		put, err := e.s3.uncounted.PutObject(t.Context(), &s3.PutObjectInput{Bucket: &place.bucket, Key: &place.key, Body: bytes.NewReader(raw)})
		if err != nil {
			t.Fatal(err)
		}
		moved := mustStateStore(t, e.s3, place.bucket, place.key, clientSecret)
		got, v, err := moved.Load(t.Context())
		var unreadable *sealedobj.UnreadableError
		if !errors.As(err, &unreadable) || v != aws.ToString(put.ETag) || got.Queued.Len() != 0 {
			t.Errorf("state moved to %s: %d queued, version %q, %v; want the empty state at its version, unreadable", name, got.Queued.Len(), v, err)
		}
	}
	// A conditional write on a stale version is refused.
	if _, err := store.Save(t.Context(), st, `"stale"`); !errors.Is(err, reconcile.ErrConflict) {
		t.Errorf("stale save: %v, want ErrConflict", err)
	}
}

// A state object that does not open (the PBX client secret was rotated, so
// its seal key changed, or it is not sealed), does not parse, or is too
// large is the empty state at its version: the run goes on, and its Save
// replaces the object.
func TestUnreadableStateIsEmptyAndReplaced(t *testing.T) {
	e := newEnv(t, yeastartest.Options{})
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	e.add(start, time.Minute, 4242, 3, nil)
	run := func(store reconcile.StateStore) (reconcile.Result, error) {
		o := e.opts
		return reconcile.New(e.pbx, e.s3, e.bucket, e.keys, e.queue, store, &o).Run(t.Context(), window(t, start, start.Add(time.Hour)))
	}
	if _, err := run(e.stateStore()); err != nil {
		t.Fatal(err)
	}
	rotated := mustStateStore(t, e.s3, e.bucket, stateKey, "rotated-secret-5d2e")
	res, err := run(rotated)
	if err != nil {
		t.Fatalf("run after rotating the client secret: %v", err)
	}
	// The state was lost, so the 3 missing recordings are queued again,
	// and the run says why.
	if !strings.Contains(res.StateReset, "rotated") {
		t.Errorf("StateReset %q, want the reason", res.StateReset)
	}
	if res.Queued != 3 || len(e.queue.ids()) != 6 {
		t.Errorf("queued %d (%d in all), want 3 again", res.Queued, len(e.queue.ids()))
	}
	if st, v, err := rotated.Load(t.Context()); err != nil || v == "" || st.Queued.Len() != 3 {
		t.Errorf("state under the new secret: %d queued, version %q, %v", st.Queued.Len(), v, err)
	}

	key, err := seal.NewKey(clientSecret, reconcile.StatePurpose)
	if err != nil {
		t.Fatal(err)
	}
	sealed := func(plain string) []byte { return key.Seal([]byte(plain), []byte("s3://"+e.bucket+"/"+stateKey)) }
	store := e.stateStore()
	for name, body := range map[string][]byte{
		"not sealed":       []byte(`{"queued":{}}`),
		"not JSON":         sealed("\x00garbage"),
		"not state":        sealed(`{"queued":{"ids":"!!"}}`),
		"too large":        sealed(`{"cursors":[{"page":1}],"queued":{}` + strings.Repeat(" ", 8<<20) + `}`),
		"too many cursors": sealed(`{"cursors":[` + strings.Repeat(`{"page":1},`, reconcile.MaxCursors) + `{"page":1}],"queued":{}}`),
	} {
		put, err := e.s3.uncounted.PutObject(t.Context(), &s3.PutObjectInput{Bucket: &e.bucket, Key: aws.String(stateKey), Body: bytes.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		st, v, err := store.Load(t.Context())
		var unreadable *sealedobj.UnreadableError
		if !errors.As(err, &unreadable) || v != aws.ToString(put.ETag) || st.Queued.Len() != 0 || len(st.Cursors) != 0 {
			t.Errorf("%s: %d queued, %d cursors, version %q (want %q), %v", name, st.Queued.Len(), len(st.Cursors), v, aws.ToString(put.ETag), err)
			continue
		}
		if _, err := store.Save(t.Context(), st, v); err != nil {
			t.Errorf("%s: replacing it: %v", name, err)
		}
	}
}

// TestStateAtTheCursorBoundOpens: a sealed state with MaxCursors cursors,
// the most a run writes, is read whole (the bound refuses only more).
func TestStateAtTheCursorBoundOpens(t *testing.T) {
	e := newEnv(t, yeastartest.Options{})
	key, err := seal.NewKey(clientSecret, reconcile.StatePurpose)
	if err != nil {
		t.Fatal(err)
	}
	plain := `{"cursors":[` + strings.Repeat(`{"page":1},`, reconcile.MaxCursors-1) + `{"page":1}],"queued":{}}`
	body := key.Seal([]byte(plain), []byte("s3://"+e.bucket+"/"+stateKey))
	if _, err := e.s3.uncounted.PutObject(t.Context(), &s3.PutObjectInput{Bucket: &e.bucket, Key: aws.String(stateKey), Body: bytes.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
	if st, _, err := e.stateStore().Load(t.Context()); err != nil || len(st.Cursors) != reconcile.MaxCursors {
		t.Errorf("Load: %d cursors, %v; want %d", len(st.Cursors), err, reconcile.MaxCursors)
	}
}

// Two runs at once (a backfill during a scheduled run): the second to save
// finds the object changed, merges, and neither loses what the other did.
func TestConcurrentRunsMergeTheirState(t *testing.T) {
	e := newEnv(t, yeastartest.Options{MaxPageSize: 5})
	dayA := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)
	dayB := dayA.Add(48 * time.Hour)
	e.add(dayA, time.Minute, 1, 10, nil)
	e.add(dayB, time.Minute, 100, 10, nil)
	reqA, reqB := window(t, dayA, dayA.Add(time.Hour)), window(t, dayB, dayB.Add(time.Hour))
	inner := false
	e.opts.OnPage = func(_ context.Context, p reconcile.Progress) {
		if p.Window.From.Equal(dayB) && p.Page == 1 && !inner {
			inner = true
			o := e.opts
			o.OnPage = nil
			r := reconcile.New(e.pbx, e.s3, e.bucket, e.keys, e.queue, e.stateStore(), &o)
			if res, err := r.Run(t.Context(), reqA); err != nil || res.Queued != 10 {
				t.Errorf("inner run: %+v %v", res, err)
			}
		}
	}
	res, err := e.reconciler(nil).Run(t.Context(), reqB)
	if err != nil || res.Queued != 10 || !inner {
		t.Fatalf("outer run: %+v %v", res, err)
	}
	e.opts.OnPage = nil
	for _, req := range []reconcile.Request{reqA, reqB} {
		res, err := e.reconciler(nil).Run(t.Context(), req)
		if err != nil || res.Queued != 0 || res.SkippedRecentlyQueued != 10 {
			t.Errorf("rerun of %s: %+v %v, want all 10 skipped as recently queued", req.Window, res, err)
		}
	}
	if c := e.s3.counts(); c["PutObject"] < 5 {
		t.Errorf("S3 requests %v: want the conflicting save retried", c)
	}
}

// conflictCounter counts the saves another writer beat.
type conflictCounter struct {
	reconcile.StateStore
	mu        sync.Mutex
	conflicts int
}

func (c *conflictCounter) Save(ctx context.Context, st reconcile.State, prev string) (string, error) {
	v, err := c.StateStore.Save(ctx, st, prev)
	if errors.Is(err, reconcile.ErrConflict) {
		c.mu.Lock()
		c.conflicts++
		c.mu.Unlock()
	}
	return v, err
}

// Two runs at the same time, each saving after every page, both started
// from the same state version: their conditional writes conflict, each
// merges the other's state, and afterwards the state holds both windows'
// queued recordings and no cursor: a third run of either window queues
// nothing.
func TestTwoRunsAtOnce(t *testing.T) {
	e := newEnv(t, yeastartest.Options{MaxPageSize: 4})
	dayA := time.Date(2026, 6, 3, 0, 0, 0, 0, time.UTC)
	dayB := dayA.Add(24 * time.Hour)
	recsA := e.add(dayA, time.Minute, 1, 20, nil)
	recsB := e.add(dayB, time.Minute, 100, 20, nil)
	reqs := []reconcile.Request{window(t, dayA, dayA.Add(time.Hour)), window(t, dayB, dayB.Add(time.Hour))}
	store := &conflictCounter{StateStore: e.stateStore()}
	// Both runs have loaded the state before either saves.
	var loaded sync.WaitGroup
	loaded.Add(2)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, req := range reqs {
		once := sync.Once{}
		o := e.opts
		o.SaveEvery = 1
		o.OnPage = func(context.Context, reconcile.Progress) { once.Do(func() { loaded.Done(); loaded.Wait() }) }
		r := reconcile.New(e.pbx, e.s3, e.bucket, e.keys, e.queue, store, &o)
		wg.Go(func() { _, errs[i] = r.Run(t.Context(), req) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if store.conflicts == 0 {
		t.Fatal("no save conflicted: the runs did not overlap")
	}
	all := append(ids(recsA, func(int) bool { return true }), ids(recsB, func(int) bool { return true })...)
	assertQueuedOnce(t, e.queue, all)
	st, _, err := e.stateStore().Load(t.Context())
	if err != nil || st.Queued.Len() != len(all) || len(st.Cursors) != 0 {
		t.Fatalf("state after both: %d queued, cursors %v, %v; want %d, none", st.Queued.Len(), st.Cursors, err, len(all))
	}
	for _, req := range reqs {
		res, err := e.reconciler(nil).Run(t.Context(), req)
		if err != nil || res.Queued != 0 || res.SkippedRecentlyQueued != 20 {
			t.Errorf("rerun of %s: %+v %v, want all 20 skipped as recently queued", req.Window, res, err)
		}
	}
}
