package reconcile_test

import (
	"context"
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
