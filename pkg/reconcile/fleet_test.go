package reconcile_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/recording-sync/recording-sync/internal/metricstest"
	"github.com/recording-sync/recording-sync/pkg/metrics"
	"github.com/recording-sync/recording-sync/pkg/reconcile"
	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/sealedobj"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// pbxSet is a PBXSet of fixed runners, in id order.
type pbxSet map[string]reconcile.Runner

func (s pbxSet) IDs(context.Context) ([]string, error) {
	ids := make([]string, 0, len(s))
	for id := range s {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids, nil
}

func (s pbxSet) Runner(_ context.Context, id string) (reconcile.Runner, bool, error) {
	r, ok := s[id]
	return r, ok, nil
}

// fleetPBX is one PBX of a fleet test: its reconciler, state and queue.
type fleetPBX struct {
	pbx   reconcile.PBX
	state reconcile.StateStore
	queue *memQueue
	r     *reconcile.Reconciler
}

// newFleetPBXs makes one reconciler per id over pbxs[id] (a healthy PBX
// of 30 recordings when absent), each with its own memory state (or
// states[id]) and queue.
func newFleetPBXs(ids []string, pbxs map[string]reconcile.PBX, states map[string]reconcile.StateStore) (pbxSet, map[string]*fleetPBX) {
	keys, _ := recording.ParseKeyTemplate("")
	set, all := pbxSet{}, map[string]*fleetPBX{}
	for _, id := range ids {
		p := &fleetPBX{pbx: pbxs[id], state: states[id], queue: newQueue()}
		if p.pbx == nil {
			p.pbx = hangingPBX{total: 30}
		}
		if p.state == nil {
			p.state = &memState{}
		}
		p.r = reconcile.New(p.pbx, emptyBucket{}, "b", keys, p.queue, p.state, nil)
		set[id], all[id] = p.r, p
	}
	return set, all
}

// sleepingPBX answers each search after delay (synctest's time in the
// tests that use it).
type sleepingPBX struct {
	reconcile.PBX
	delay time.Duration
}

func (s sleepingPBX) SearchRecordings(ctx context.Context, q yeastar.SearchQuery) (yeastar.SearchPage, error) {
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return yeastar.SearchPage{}, ctx.Err()
	}
	return s.PBX.SearchRecordings(ctx, q)
}

// byPBX finds PBX id's part of a fleet's result.
func byPBX(t *testing.T, res reconcile.Result, id string) reconcile.Result {
	t.Helper()
	for _, p := range res.PBXs {
		if p.PBX == id {
			return p
		}
	}
	t.Fatalf("no result for PBX %s in %+v", id, res.PBXs)
	return reconcile.Result{}
}

// A PBX that hangs until it is cut off, wherever it comes in the order,
// gets its share of the run and no more: the others, 2 s a page, are
// covered in the same run, one at a time, the run answers before its deadline, and the
// hung PBX's cursor is kept for the next run, which completes it. Time is
// synctest's.
func TestFleetHungPBXDoesNotStopTheOthers(t *testing.T) {
	ids := []string{"a", "b", "c", "d"}
	for _, hung := range ids {
		t.Run(hung, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				slow := map[string]reconcile.PBX{hung: &hangingPBX{total: 30, hangOn: 1}}
				for _, id := range ids {
					if id != hung {
						slow[id] = sleepingPBX{PBX: hangingPBX{total: 30}, delay: 2 * time.Second}
					}
				}
				set, pbxs := newFleetPBXs(ids, slow, nil)
				fleet := reconcile.NewFleet(set, &reconcile.FleetOptions{Concurrency: 1})
				req := scheduledAt(t, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
				ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
				defer cancel()
				res, err := fleet.Run(ctx, req)
				if ctx.Err() != nil {
					t.Errorf("the run answered after its deadline")
				}
				if err != nil || res.Complete || len(res.PBXs) != 4 || res.Queued != 90 {
					t.Fatalf("run: %+v %v, want 3 PBXs done (90 queued), the hung one continued", res, err)
				}
				for _, id := range ids {
					p, want := byPBX(t, res, id), id != hung
					if p.Complete != want || len(pbxs[id].queue.ids()) != 30*btoi(want) || p.Failed {
						t.Errorf("PBX %s: complete %v, %d queued, failed %v; want complete %v", id, p.Complete, len(pbxs[id].queue.ids()), p.Failed, want)
					}
				}
				if c := byPBX(t, res, hung).Cursor; c == nil || !c.Scheduled {
					t.Errorf("hung PBX's cursor %+v, want its scheduled window kept", c)
				}
				// The PBX answers again: the next run covers it.
				pbxs[hung].pbx.(*hangingPBX).hangOn = 0
				res, err = fleet.Run(t.Context(), scheduledAt(t, time.Date(2026, 3, 1, 13, 0, 0, 0, time.UTC)))
				if err != nil || !res.Complete || len(pbxs[hung].queue.ids()) != 30 {
					t.Errorf("next run: %+v %v, %d queued of the hung PBX; want all 30", res, err, len(pbxs[hung].queue.ids()))
				}
			})
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// orderRunner records the order PBXs start in.
type orderRunner struct {
	id    string
	mu    *sync.Mutex
	order *[]string
}

func (o orderRunner) Run(_ context.Context, req reconcile.Request) (reconcile.Result, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	*o.order = append(*o.order, o.id)
	return reconcile.Result{Window: req.Window, Complete: true}, nil
}

// The order rotates between runs, from a point the window fixes: each
// run's order is the ids' order rotated, a retried event keeps its order,
// and over a day of hourly runs every PBX is last at least once and first
// at least once.
func TestFleetRotatesItsOrder(t *testing.T) {
	ids := []string{"a", "b", "c", "d"}
	var mu sync.Mutex
	var order []string
	set := pbxSet{}
	for _, id := range ids {
		set[id] = orderRunner{id: id, mu: &mu, order: &order}
	}
	fleet := reconcile.NewFleet(set, &reconcile.FleetOptions{Concurrency: 1})
	runOrder := func(req reconcile.Request) []string {
		order = nil
		if _, err := fleet.Run(t.Context(), req); err != nil {
			t.Fatal(err)
		}
		return slices.Clone(order)
	}
	first, last := map[string]int{}, map[string]int{}
	for h := range 24 {
		req := scheduledAt(t, time.Date(2026, 3, 1, h, 0, 0, 0, time.UTC))
		got := runOrder(req)
		at := slices.Index(ids, got[0])
		if want := append(slices.Clone(ids[at:]), ids[:at]...); !slices.Equal(got, want) {
			t.Fatalf("run %d: order %v, want the ids rotated (%v)", h, got, want)
		}
		if again := runOrder(req); !slices.Equal(again, got) {
			t.Errorf("run %d retried: order %v, want %v", h, again, got)
		}
		first[got[0]]++
		last[got[len(got)-1]]++
	}
	for _, id := range ids {
		if first[id] == 0 || last[id] == 0 {
			t.Errorf("PBX %s first %d and last %d times of 24 runs, want each at least once", id, first[id], last[id])
		}
	}
}

// unreadableState is a state object that does not open.
type unreadableState struct{ memState }

func (u *unreadableState) Load(ctx context.Context) (reconcile.State, string, error) {
	if _, v, _ := u.memState.Load(ctx); v == "" {
		return reconcile.State{}, "", &sealedobj.UnreadableError{Reason: "sealed under another secret"}
	}
	return u.memState.Load(ctx)
}

// failingSave is a state object S3 refuses to write.
type failingSave struct {
	memState
	saves int
}

func (f *failingSave) Save(context.Context, reconcile.State, string) (string, error) {
	f.saves++
	return "", errors.New("S3 refused the write")
}

// Each PBX has its own state: one whose state does not open starts afresh
// and says so, one whose state cannot be saved fails, named, and neither
// touches another PBX's state or run.
func TestFleetStateIsPerPBX(t *testing.T) {
	garbage, broken := &unreadableState{}, &failingSave{}
	set, pbxs := newFleetPBXs([]string{"a", "b", "c"}, nil, map[string]reconcile.StateStore{"b": garbage, "c": broken})
	fleet := reconcile.NewFleet(set, nil)
	res, err := fleet.Run(t.Context(), scheduledAt(t, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)))
	var inc *reconcile.IncompleteError
	if !errors.As(err, &inc) || !strings.Contains(err.Error(), "PBX c: ") || strings.Contains(err.Error(), "PBX a") || strings.Contains(err.Error(), "PBX b") || inc.Saved {
		t.Fatalf("run error %v, want one naming PBX c alone, its state not saved", err)
	}
	if broken.saves == 0 {
		t.Fatal("PBX c's state was never saved: the fault did not fire")
	}
	a, b, c := byPBX(t, res, "a"), byPBX(t, res, "b"), byPBX(t, res, "c")
	if !a.Complete || a.Failed || a.StateReset != "" || !b.Complete || b.Failed || b.StateReset == "" || !c.Failed {
		t.Errorf("a %+v, b %+v, c %+v: want a and b complete, b's state reset, c failed", a, b, c)
	}
	if !strings.Contains(res.StateReset, "PBX b: ") || strings.Contains(res.StateReset, "PBX a") {
		t.Errorf("StateReset %q, want PBX b's alone", res.StateReset)
	}
	for _, id := range []string{"a", "b", "c"} {
		if n := len(pbxs[id].queue.ids()); n != 30 {
			t.Errorf("PBX %s: %d queued, want its 30", id, n)
		}
	}
	if st, v, _ := pbxs["a"].state.Load(t.Context()); v == "" || st.Queued.Len() != 30 {
		t.Errorf("PBX a's state at %q holds %d queued, want its own 30", v, st.Queued.Len())
	}
	if st, v, _ := garbage.memState.Load(t.Context()); v == "" || st.Queued.Len() != 30 {
		t.Errorf("PBX b's fresh state at %q holds %d queued, want its own 30", v, st.Queued.Len())
	}
}

// countingPBX counts searches.
type countingPBX struct {
	hangingPBX
	mu       sync.Mutex
	searches int
}

func (c *countingPBX) SearchRecordings(ctx context.Context, q yeastar.SearchQuery) (yeastar.SearchPage, error) {
	c.mu.Lock()
	c.searches++
	c.mu.Unlock()
	return c.hangingPBX.SearchRecordings(ctx, q)
}

// A backfill naming one PBX covers that PBX alone; one naming a PBX not
// configured is refused as invalid input, naming it, and searches nothing.
func TestFleetBackfillOfOnePBX(t *testing.T) {
	counters := map[string]*countingPBX{}
	pbxs := map[string]reconcile.PBX{}
	for _, id := range []string{"a", "b", "c"} {
		counters[id] = &countingPBX{hangingPBX: hangingPBX{total: 30}}
		pbxs[id] = counters[id]
	}
	set, all := newFleetPBXs([]string{"a", "b", "c"}, pbxs, nil)
	h := reconcile.NewHandler(reconcile.NewFleet(set, nil), trailing, discardLog(), nil)
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	payload := `{"pbx":"b","from":"` + from.Format(time.RFC3339) + `","to":"` + from.Add(time.Hour).Format(time.RFC3339) + `"}`
	if _, err := h.Invoke(t.Context(), []byte(payload)); err != nil {
		t.Fatal(err)
	}
	if counters["a"].searches != 0 || counters["c"].searches != 0 || counters["b"].searches == 0 || len(all["b"].queue.ids()) != 30 {
		t.Errorf("searches a %d, b %d, c %d; b queued %d: want PBX b alone, all 30", counters["a"].searches, counters["b"].searches, counters["c"].searches, len(all["b"].queue.ids()))
	}
	before := counters["b"].searches
	_, err := h.Invoke(t.Context(), []byte(strings.Replace(payload, `"b"`, `"zz"`, 1)))
	var inv *recording.InvalidInputError
	if !errors.As(err, &inv) || !strings.Contains(err.Error(), "PBX zz is not configured") {
		t.Errorf("backfill of an unknown PBX: %v, want an InvalidInputError naming it", err)
	}
	if n := counters["a"].searches + counters["b"].searches + counters["c"].searches; n != before {
		t.Errorf("the refused backfill searched: %d searches, %d before", n, before)
	}
}

// discardLog is a logger that drops every line.
func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// A fleet's run logs its totals on its final line, as one PBX's run does,
// and one line per PBX with its failure and lost recordings by pbx, which
// are not counted in the totals twice; a PBX's zero is not published.
func TestFleetMetricsByPBX(t *testing.T) {
	broken := &failingSave{}
	set, _ := newFleetPBXs([]string{"a", "c"}, nil, map[string]reconcile.StateStore{"c": broken})
	h, logs := metricsHandler(t, reconcile.NewFleet(set, nil))
	event := `{"detail-type":"Scheduled Event","source":"aws.events","time":"2026-03-01T12:00:00Z"}`
	if _, err := h.Invoke(t.Context(), []byte(event)); err == nil || !strings.Contains(err.Error(), "PBX c: ") {
		t.Fatalf("run error %v, want PBX c's failure", err)
	}
	totals := metricstest.Totals{}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		data, err := metricstest.Parse([]byte(line))
		if err != nil {
			t.Fatalf("line %s: %v", line, err)
		}
		totals.Add(data...)
	}
	fn := metrics.DimFunction + "=stack-recording-reconcile"
	get := func(m metrics.Metric, dims string) float64 { return totals.Get(metrics.DefaultNamespace, m.Name, dims) }
	checks := []struct {
		m    metrics.Metric
		dims string
		want float64
	}{
		{metrics.ReconcileRunsFailed, fn, 1},
		{metrics.ReconcileRecordingsLost, fn, 60},
		{metrics.ReconcileRecordingsQueued, fn, 60},
		{metrics.ReconcileRunsFailed, fn + ",pbx=c", 1},

		{metrics.ReconcileRecordingsLost, fn + ",pbx=a", 30},
		{metrics.ReconcileRecordingsLost, fn + ",pbx=c", 30},
	}
	for _, c := range checks {
		if got := get(c.m, c.dims); got != c.want {
			t.Errorf("%s{%s} = %v, want %v", c.m.Name, c.dims, got, c.want)
		}
	}
	for s := range totals {
		if m, _ := metrics.Lookup(s.Name); strings.Contains(s.Dimensions, "pbx=") && (!m.ByPBX || s == (metricstest.Series{Namespace: metrics.DefaultNamespace, Name: metrics.ReconcileRunsFailed.Name, Dimensions: fn + ",pbx=a"})) {
			t.Errorf("%s{%s} is published: only ByPBX metrics, and only when not zero", s.Name, s.Dimensions)
		}
	}
	if !strings.Contains(logs.String(), `"msg":"PBX reconcile stopped"`) || !strings.Contains(logs.String(), `"pbx":"c"`) {
		t.Errorf("no line says PBX c stopped:\n%s", logs)
	}
}

// panickingRunner panics.
type panickingRunner struct{}

func (panickingRunner) Run(context.Context, reconcile.Request) (reconcile.Result, error) {
	panic("bug in one PBX's run")
}

// A panic in one PBX's run reaches the caller of Run, after the other PBXs
// are done, not a worker goroutine, which would kill the process.
func TestFleetPanicReachesTheCaller(t *testing.T) {
	set, pbxs := newFleetPBXs([]string{"a"}, nil, nil)
	set["b"] = panickingRunner{}
	defer func() {
		if v := recover(); v != "bug in one PBX's run" {
			t.Errorf("recovered %v, want the PBX's panic", v)
		}
		if n := len(pbxs["a"].queue.ids()); n != 30 {
			t.Errorf("PBX a queued %d, want its 30 before the panic is raised", n)
		}
	}()
	_, _ = reconcile.NewFleet(set, nil).Run(t.Context(), scheduledAt(t, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)))
	t.Error("Run returned, want its panic")
}
