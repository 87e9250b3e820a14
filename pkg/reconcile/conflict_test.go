package reconcile_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/reconcile"
)

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
