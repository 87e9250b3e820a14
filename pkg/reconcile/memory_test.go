package reconcile_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/reconcile"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// yearPBX answers recording/search over n recordings, one every step from
// start, computing each page instead of holding the recordings, so that
// what the test measures is the reconciler's memory alone. It is a narrow
// fake of the one method the reconciler uses; the simulator is the wire-
// faithful PBX of the other tests.
type yearPBX struct {
	start time.Time
	step  time.Duration
	n     int
	clock *fakeClock
}

func (p *yearPBX) SearchRecordings(_ context.Context, q yeastar.SearchQuery) (yeastar.SearchPage, error) {
	p.clock.Advance(time.Second)
	first := max(0, int((q.Start.Sub(p.start)+p.step-1)/p.step))
	last := min(p.n-1, int(q.End.Sub(p.start)/p.step))
	page := yeastar.SearchPage{Total: max(0, last-first+1)}
	size := min(q.PageSize, yeastartest.DefaultMaxPageSize)
	for i := first + (q.Page-1)*size; i <= last && len(page.Items) < size; i++ {
		at := p.start.Add(time.Duration(i) * p.step)
		page.Items = append(page.Items, yeastar.SearchItem{ID: int64(i + 1), File: fileAt(at, i+1), Time: at.In(pbxZone).Format(yeastar.PBXTimeLayout)})
	}
	return page, nil
}

// bitQueue remembers queued IDs in a bitmap: 500,000 recordings in 62 KiB.
type bitQueue struct {
	mu    sync.Mutex
	bits  []uint64
	twice int
	n     int
}

func (q *bitQueue) Enqueue(_ context.Context, items []yeastar.SearchItem) ([]int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, it := range items {
		w, b := it.ID/64, uint64(1)<<(it.ID%64)
		if q.bits[w]&b != 0 {
			q.twice++
		}
		q.bits[w] |= b
		q.n++
	}
	return nil, nil
}

// heapInUse is the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func TestYearBackfillCompletesAcrossRunsInFlatMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("500,000 recordings")
	}
	e := newEnv(t, yeastartest.Options{})
	const n = 500_000
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	pbx := &yearPBX{start: start, step: 63 * time.Second, n: n, clock: e.clock}
	queue := &bitQueue{bits: make([]uint64, n/64+2)}
	e.opts.SaveEvery = 200
	// A year's backfill is past the default caps of a run; an operator
	// raises them for it (RECONCILE_MAX_PAGES, RECONCILE_MAX_QUEUED).
	e.opts.MaxPages, e.opts.MaxQueued = n, n
	var peak uint64
	pages := 0
	// The live heap, measured while the runs work (the state's queued set
	// at its largest), every 250 pages.
	e.opts.OnPage = func(context.Context, reconcile.Progress) {
		if pages++; pages%250 == 0 {
			peak = max(peak, heapInUse())
		}
	}
	req := window(t, start, start.Add(n*pbx.step))
	base := heapInUse()
	runs := 0
	for ; runs < 50; runs++ {
		// Each run may take 30 minutes of the fake clock: about 1,600 pages.
		ctx, cancel := context.WithDeadline(t.Context(), e.clock.Now().Add(30*time.Minute))
		o := e.opts
		r := reconcile.New(pbx, e.s3, e.bucket, e.keys, queue, e.stateStore(), &o)
		res, err := r.Run(ctx, req)
		cancel()
		if err != nil {
			t.Fatalf("run %d: %v", runs, err)
		}
		t.Logf("run %d: %d pages, %d queued, complete %v, peak live heap so far %.1f MiB above the start", runs, res.Pages, res.Queued, res.Complete, float64(peak-min(peak, base))/(1<<20))
		if res.Complete {
			break
		}
	}
	if runs < 2 {
		t.Fatalf("completed in %d run(s): the deadline stopped none", runs+1)
	}
	if queue.n != n || queue.twice != 0 {
		t.Fatalf("queued %d (%d twice), want each of %d once", queue.n, queue.twice, n)
	}
	// Bounded by MaxQueued entries and one page, not by the window.
	if grown := peak - min(peak, base); grown > 32<<20 {
		t.Errorf("live heap grew by %.1f MiB", float64(grown)/(1<<20))
	}
	_, _ = fmt.Fprintf(testOutput{t}, "peak live heap above the start: %.1f MiB over %d runs\n", float64(peak-min(peak, base))/(1<<20), runs+1)
}

// testOutput writes to the test log.
type testOutput struct{ t *testing.T }

func (w testOutput) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }
