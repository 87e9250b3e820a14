package reconcile_test

import (
	"context"
	"errors"
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
