package reconcile_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/reconcile"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// The reconciler reads the PBX's clock from system/information: for each
// date format, east and west of UTC, a call that ended 3 minutes ago is
// not due and one that ended 20 minutes ago is, and the time it queues
// is the call's start in the PBX's local time, whatever the format.
func TestTimesReadInThePBXsZoneAndDateFormat(t *testing.T) {
	for _, zone := range []*time.Location{time.FixedZone("east", 5*3600+1800), time.FixedZone("west", -7*3600)} {
		for _, format := range []string{"YYYY/MM/DD", "MM/DD/YYYY", "DD/MM/YYYY"} {
			t.Run(zone.String()+" "+format, func(t *testing.T) {
				e := newEnv(t, yeastartest.Options{TimeZone: zone, DateFormat: format})
				e.opts.Clock = reconcile.SystemClock{PBX: e.pbx}
				e.opts.Settle = 10 * time.Minute
				now := e.clock.Now().Truncate(time.Second)
				started := now.Add(-40 * time.Minute)
				e.sim.AddRecording(yeastartest.Recording{ID: 1, File: fileIn(zone, started, 1), Size: 8, Duration: 20 * 60})
				e.sim.AddRecording(yeastartest.Recording{ID: 2, File: fileIn(zone, started, 2), Size: 8, Duration: 37 * 60})
				res, err := e.reconciler(nil).Run(t.Context(), window(t, now.Add(-time.Hour), now))
				if err != nil || res.Queued != 1 || res.Lost != 1 || res.NotDue != 1 || res.ClockWarning != "" {
					t.Fatalf("Run = %+v %v, want 1 queued and lost, 1 not due", res, err)
				}
				if n := e.sim.Stats().APIRequests["system/information"]; n != 1 {
					t.Errorf("%d system/information requests, want 1 per run", n)
				}
				e.queue.mu.Lock()
				got := e.queue.items[0].Time
				e.queue.mu.Unlock()
				if want := started.In(zone).Format(yeastar.PBXTimeLayout); got != want {
					t.Errorf("queued time %q, want %q", got, want)
				}
			})
		}
	}
}

// A PBX without system/information (or with a date format nobody knows)
// is read as UTC in MM/DD/YYYY, and the run says why.
func TestUnknownClockFallsBackWithAWarning(t *testing.T) {
	for name, info := range map[string]yeastartest.SystemInfo{
		"no endpoint":         {Absent: true},
		"unknown date format": {DateFormat: "DD.MM.YYYY"},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, yeastartest.Options{})
			e.sim.SetSystemInfo(info)
			e.opts.Clock = reconcile.SystemClock{PBX: e.pbx}
			start := time.Date(2026, 1, 12, 17, 0, 0, 0, time.UTC)
			e.add(start, time.Minute, 1, 3, nil)
			res, err := e.reconciler(nil).Run(t.Context(), window(t, start, start.Add(time.Hour)))
			if err != nil || res.Queued != 3 || !strings.Contains(res.ClockWarning, "read as UTC") {
				t.Fatalf("Run = %+v %v, want 3 queued and a clock warning", res, err)
			}
			if n := e.sim.Stats().APIRequests["system/information"]; n != 1 {
				t.Errorf("%d system/information requests, want 1", n)
			}
		})
	}
}

// A PBX that fails system/information otherwise than by lacking it stops
// the run before any search, as a failed first search would: the
// scheduled window keeps its cursor for a later run.
func TestClockThatFailsStopsTheRun(t *testing.T) {
	e := newEnv(t, yeastartest.Options{})
	e.opts.Clock = reconcile.SystemClock{PBX: e.pbx}
	e.sim.FailAPI("system/information", yeastartest.ErrCodeAccessDenied, 1)
	fired := time.Date(2026, 4, 4, 12, 0, 0, 0, time.UTC)
	e.clock.Set(fired)
	req := scheduledAt(t, fired)
	res, err := e.reconciler(nil).Run(t.Context(), req)
	var inc *reconcile.IncompleteError
	if !errors.As(err, &inc) || !inc.Saved || res.Cursor == nil {
		t.Fatalf("Run = %+v %v, want a saved IncompleteError with a cursor", res, err)
	}
	if api := e.sim.Stats().APIRequests; api["recording/search"] != 0 || api["system/information"] != 1 {
		t.Errorf("requests %v, want the one failed system/information and no search", api)
	}
	st, _, err := e.stateStore().Load(t.Context())
	if err != nil || len(st.Cursors) != 1 || !st.Cursors[0].Window.From.Equal(req.Window.From) {
		t.Errorf("state %+v %v, want the scheduled window's cursor", st.Cursors, err)
	}
}

// A transient failure of system/information (-2, as a PBX's blip) is tried
// again like a failed search, and the run goes on: one blip does not fail
// a run, nor raise its alarm.
func TestClockBlipIsRetried(t *testing.T) {
	e := newEnv(t, yeastartest.Options{})
	e.opts.Clock = reconcile.SystemClock{PBX: e.pbx}
	e.sim.FailAPI("system/information", yeastartest.ErrCodeInternal, 1)
	start := time.Date(2026, 1, 12, 17, 0, 0, 0, time.UTC)
	e.add(start, time.Minute, 1, 3, nil)
	res, err := e.reconciler(nil).Run(t.Context(), window(t, start, start.Add(time.Hour)))
	if err != nil || res.Queued != 3 || res.ClockWarning != "" {
		t.Fatalf("Run = %+v %v, want 3 queued and no clock warning", res, err)
	}
	if n := e.sim.Stats().APIRequests["system/information"]; n != 2 {
		t.Errorf("%d system/information requests, want the failed one and its retry", n)
	}
	if n := e.sim.Stats().Faults.API; n != 1 {
		t.Errorf("%d API faults fired, want 1", n)
	}
}
