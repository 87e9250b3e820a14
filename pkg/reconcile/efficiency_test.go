package reconcile_test

import (
	"math"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

// The efficiency budget for a run over 10,000 recordings with 100
// missing, default key template (counts, not timings).
func TestRequestCountsOverTenThousandRecordings(t *testing.T) {
	if testing.Short() {
		t.Skip("stores 9,900 objects")
	}
	e := newEnv(t, yeastartest.Options{})
	start := time.Date(2026, 5, 1, 6, 0, 0, 0, time.UTC)
	const n, step = 10_000, 9 * time.Second // 25 hours, three local dates
	missing := func(i int) bool { return i%100 == 37 }
	recs := e.add(start, step, 500_000, n, func(i int) bool { return !missing(i) })
	searchesBefore := e.sim.Stats().APIRequests["recording/search"]
	tokensBefore := e.sim.Stats().GetTokenCalls
	res, err := e.reconciler(nil).Run(t.Context(), window(t, start, start.Add(n*step)))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Complete || res.Listed != n || res.Queued != 100 || res.AlreadyStored != n-100 {
		t.Fatalf("result %+v", res)
	}
	assertQueuedOnce(t, e.queue, ids(recs, missing))
	stats := e.sim.Stats()
	pbx := stats.APIRequests["recording/search"] - searchesBefore + stats.GetTokenCalls - tokensBefore
	s3 := e.s3.total()
	budget := int(math.Ceil(n/float64(yeastartest.DefaultMaxPageSize))) + 3
	t.Logf("PBX requests %d (budget %d), S3 requests %d %v (budget 50), queue requests %d (budget 11)", pbx, budget, s3, e.s3.counts(), e.queue.calls)
	if pbx > budget {
		t.Errorf("%d PBX requests, budget %d", pbx, budget)
	}
	if s3 > 50 {
		t.Errorf("%d S3 requests, budget 50", s3)
	}
	if e.queue.calls > 11 {
		t.Errorf("%d queue requests, budget 11", e.queue.calls)
	}
}
