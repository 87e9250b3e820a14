package reconcile_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/reconcile"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// A PBX that pages wrong under a total_number of 2^40 fails the window at
// once, with a *PagingError, after a handful of searches and without
// queueing past what it served correctly.
func TestBrokenPagerFailsTheWindow(t *testing.T) {
	for _, tt := range []struct {
		name        string
		pager       yeastartest.Pager
		searches    int
		wantInError string
	}{
		{"same page forever", yeastartest.PagerSamePage, 2, "repeats recording 1"},
		{"more rows than asked", yeastartest.PagerOverfull, 1, "rows, 100 asked for"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, yeastartest.Options{Pager: tt.pager})
			start := time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC)
			res, err := e.reconciler(nil).Run(t.Context(), window(t, start, start.Add(time.Hour)))
			var paging *reconcile.PagingError
			if !errors.As(err, &paging) || !containsAll(err.Error(), tt.wantInError) {
				t.Fatalf("Run = %v, want a PagingError naming %q", err, tt.wantInError)
			}
			if n := e.sim.Stats().BrokenPages; n != tt.searches {
				t.Errorf("%d broken pages served, want %d", n, tt.searches)
			}
			if res.Complete || len(e.queue.ids()) > 100 {
				t.Errorf("result %+v, %d queued", res, len(e.queue.ids()))
			}
		})
	}
}

// Fresh IDs on every page under a total of 2^40: the run stops at its cap
// of pages, or of queued recordings, with a *PagingError and its cursor
// saved; the next run goes on from there.
func TestRunCapsStopAPagerThatNeverEnds(t *testing.T) {
	for _, tt := range []struct {
		name                string
		maxPages, maxQueued int
		wantQueued          int
		wantInError         string
	}{
		{"pages", 7, 0, 700, "cap of 7 pages (RECONCILE_MAX_PAGES)"},
		{"queued", 0, 250, 250, "cap of 250 queued recordings (RECONCILE_MAX_QUEUED)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, yeastartest.Options{Pager: yeastartest.PagerFreshIDs})
			e.opts.MaxPages, e.opts.MaxQueued = tt.maxPages, tt.maxQueued
			start := time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC)
			req := window(t, start, start.Add(time.Hour))
			res, err := e.reconciler(nil).Run(t.Context(), req)
			var paging *reconcile.PagingError
			var inc *reconcile.IncompleteError
			if !errors.As(err, &paging) || !errors.As(err, &inc) || !inc.Saved || !containsAll(err.Error(), tt.wantInError) {
				t.Fatalf("Run = %v, want a saved IncompleteError naming %q", err, tt.wantInError)
			}
			if n := len(e.queue.ids()); n != tt.wantQueued || res.Queued != n || res.Cursor == nil {
				t.Errorf("queued %d (result %d, cursor %v), want %d", n, res.Queued, res.Cursor, tt.wantQueued)
			}
			if _, err := e.reconciler(nil).Run(t.Context(), req); !errors.As(err, &paging) {
				t.Fatalf("second run = %v, want the cap again", err)
			}
			// The second run went on from the first's cursor.
			n := len(e.queue.ids())
			if n <= tt.wantQueued {
				t.Errorf("second run queued nothing new")
			}
			assertQueuedOnce(t, e.queue, seq(1, int64(n)))
		})
	}
}

// seq is from..to.
func seq(from, to int64) []int64 {
	var out []int64
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

// containsAll reports whether s contains every one of subs.
func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// oldWindowBroken serves the same page forever for searches of old, and
// passes the others on.
type oldWindowBroken struct {
	reconcile.PBX
	old   reconcile.Window
	mu    sync.Mutex
	fired int
}

func (p *oldWindowBroken) SearchRecordings(ctx context.Context, q yeastar.SearchQuery) (yeastar.SearchPage, error) {
	if !q.Start.Equal(p.old.From) {
		return p.PBX.SearchRecordings(ctx, q)
	}
	p.mu.Lock()
	p.fired++
	p.mu.Unlock()
	q.Page = 1
	return p.PBX.SearchRecordings(ctx, q)
}

// An unfinished old window that the PBX pages wrong never keeps a
// scheduled run from the newest hours: the run's own window is worked
// first and completes; the old one fails the run.
func TestOldWindowNeverKeepsTheNewestHours(t *testing.T) {
	e := newEnv(t, yeastartest.Options{MaxPageSize: 5})
	fired := time.Date(2026, 5, 10, 12, 0, 0, 0, time.UTC)
	oldStart := fired.Add(-60 * time.Hour)
	e.add(oldStart, time.Minute, 1, 20, nil)
	newest := e.add(fired.Add(-2*time.Hour), time.Minute, 100, 12, nil)
	old := window(t, oldStart, oldStart.Add(time.Hour))
	// A backfill of the old window left unfinished: its cursor is pending.
	e.opts.OnPage = func(context.Context, reconcile.Progress) {
		e.sim.FailAPI("recording/search", yeastartest.ErrCodeAccessDenied, 1)
	}
	if _, err := e.reconciler(nil).Run(t.Context(), old); err == nil {
		t.Fatal("the backfill of the old window did not fail")
	}
	e.opts.OnPage = nil
	st, _, err := e.stateStore().Load(t.Context())
	if err != nil || len(st.Cursors) != 1 {
		t.Fatalf("state %+v %v, want the old window's cursor", st, err)
	}
	pbx := &oldWindowBroken{PBX: e.pbx, old: old.Window}
	e.clock.Set(fired)
	res, err := e.reconciler(pbx).Run(t.Context(), scheduledAt(t, fired))
	var paging *reconcile.PagingError
	if !errors.As(err, &paging) || pbx.fired == 0 {
		t.Fatalf("Run = %v (old window searched %d times), want a PagingError from the old window", err, pbx.fired)
	}
	if !res.Complete || res.Pages == 0 || len(res.Continued) != 1 || res.Continued[0].Complete {
		t.Errorf("result %+v, want the newest window complete and the old one not", res)
	}
	for _, id := range ids(newest, func(int) bool { return true }) {
		if !containsID(e.queue.ids(), id) {
			t.Errorf("recording %d of the newest hours not queued", id)
		}
	}
}

func containsID(v []int64, id int64) bool {
	for _, x := range v {
		if x == id {
			return true
		}
	}
	return false
}

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
