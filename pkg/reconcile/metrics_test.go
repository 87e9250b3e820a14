package reconcile_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/internal/metricstest"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/metrics"
	"github.com/recording-sync/recording-sync/pkg/reconcile"
	"github.com/recording-sync/recording-sync/pkg/redact"
)

// runCounts are the reconciler's metrics over some runs.
type runCounts struct{ listed, missing, queued, lost, complete, failed, reset int }

// metricsHandler returns a Handler of run with metrics, and the buffer of
// its log.
func metricsHandler(t *testing.T, run reconcile.Runner) (*reconcile.Handler, *bytes.Buffer) {
	t.Helper()
	emitter, err := metrics.NewEmitter(metrics.DefaultNamespace, "stack-recording-reconcile")
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	log := slog.New(redact.New().Handler(slog.NewJSONHandler(&logs, nil)))
	return reconcile.NewHandler(run, trailing, log, &reconcile.HandlerOptions{Metrics: emitter}), &logs
}

// invoke runs payload through h and returns the metrics of the one line
// it logged them on (which must be a final line, msg one of finals) and
// the answer (nil on an error).
func invoke(ctx context.Context, t *testing.T, h *reconcile.Handler, logs *bytes.Buffer, payload string, finals ...string) (runCounts, []byte) {
	t.Helper()
	logs.Reset()
	out, _ := h.Invoke(ctx, []byte(payload))
	totals := metricstest.Totals{}
	lines := 0
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		data, err := metricstest.Parse([]byte(line))
		if err != nil {
			t.Fatalf("line %s: %v", line, err)
		}
		if len(data) == 0 {
			continue
		}
		lines++
		var m struct{ Msg string }
		if json.Unmarshal([]byte(line), &m) != nil || !strings.Contains(strings.Join(finals, "|"), m.Msg) || len(data) != 7 {
			t.Errorf("metrics on %q (%d of 7), want them on %v", m.Msg, len(data), finals)
		}
		totals.Add(data...)
	}
	if lines != 1 {
		t.Errorf("%d lines carry metrics, want 1:\n%s", lines, logs)
	}
	get := func(m metrics.Metric) int {
		return int(totals.Get(metrics.DefaultNamespace, m.Name, metrics.DimFunction+"=stack-recording-reconcile"))
	}
	return runCounts{
		listed: get(metrics.ReconcileRecordingsListed), missing: get(metrics.ReconcileRecordingsMissing),
		queued: get(metrics.ReconcileRecordingsQueued), lost: get(metrics.ReconcileRecordingsLost),
		complete: get(metrics.ReconcileRunsComplete), failed: get(metrics.ReconcileRunsFailed),
		reset: get(metrics.ReconcileStateReset),
	}, out
}

func backfillOf(from, to time.Time) string {
	return `{"from":"` + from.Format(time.RFC3339) + `","to":"` + to.Format(time.RFC3339) + `"}`
}

// TestMetricsOfACompleteRun: a backfill of the past lists 20, 5 stored:
// 15 missing, queued and lost. Run again, the 15 are missing still but
// recently queued: none queued, none lost.
func TestMetricsOfACompleteRun(t *testing.T) {
	e := newEnv(t, yeastartest.Options{MaxPageSize: 8})
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	e.add(start, time.Minute, 1, 20, func(i int) bool { return i < 5 })
	h, logs := metricsHandler(t, e.reconciler(nil))
	payload := backfillOf(start, start.Add(time.Hour))
	got, _ := invoke(t.Context(), t, h, logs, payload, "reconcile done")
	if want := (runCounts{listed: 20, missing: 15, queued: 15, lost: 15, complete: 1}); got != want {
		t.Errorf("first run %+v, want %+v", got, want)
	}
	got, _ = invoke(t.Context(), t, h, logs, payload, "reconcile done")
	if want := (runCounts{listed: 20, missing: 15, complete: 1}); got != want {
		t.Errorf("second run %+v, want %+v", got, want)
	}
}

// TestMetricsOfARunStoppedAtTheDeadline: a run out of time is neither
// complete nor failed, and counts what it did before it stopped.
func TestMetricsOfARunStoppedAtTheDeadline(t *testing.T) {
	e := newEnv(t, yeastartest.Options{MaxPageSize: 50})
	start := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	e.add(start, 5*time.Minute, 1, 300, func(i int) bool { return i%4 == 0 })
	pbx := slowPBX{PBX: e.pbx, clock: e.clock, step: 10 * time.Minute}
	h, logs := metricsHandler(t, e.reconciler(pbx))
	// An hour, each page ten minutes: five of the six pages fit.
	ctx, cancel := context.WithDeadline(t.Context(), e.clock.Now().Add(time.Hour))
	defer cancel()
	got, out := invoke(ctx, t, h, logs, backfillOf(start, start.Add(300*5*time.Minute)), "reconcile done")
	var res reconcile.Result
	if err := json.Unmarshal(out, &res); err != nil || res.Complete || res.Listed != 250 {
		t.Fatalf("answer %s (%v), want 250 listed, incomplete", out, err)
	}
	if want := (runCounts{listed: 250, missing: 187, queued: 187, lost: 187}); got != want {
		t.Errorf("metrics %+v, want %+v", got, want)
	}
}

// TestMetricsOfAFailedRun: a permanent PBX error after two pages fails the
// run, which still counts what it listed and queued; an invalid event is
// a failed run that did nothing.
func TestMetricsOfAFailedRun(t *testing.T) {
	e := newEnv(t, yeastartest.Options{MaxPageSize: 10})
	start := time.Date(2026, 7, 8, 7, 0, 0, 0, time.UTC)
	e.add(start, time.Minute, 1, 50, nil)
	e.opts.OnPage = func(_ context.Context, p reconcile.Progress) {
		if p.Page == 2 {
			e.sim.FailAPI("recording/search", yeastartest.ErrCodeAccessDenied, 1)
		}
	}
	h, logs := metricsHandler(t, e.reconciler(nil))
	got, out := invoke(t.Context(), t, h, logs, backfillOf(start, start.Add(time.Hour)), "reconcile stopped")
	if want := (runCounts{listed: 20, missing: 20, queued: 20, lost: 20, failed: 1}); got != want || out != nil {
		t.Errorf("failed run %+v (answer %s), want %+v", got, out, want)
	}
	if n := e.sim.Stats().Faults.API; n != 1 {
		t.Errorf("%d API faults fired, want 1", n)
	}
	got, _ = invoke(t.Context(), t, h, logs, `{"from":"soon"}`, "invalid event")
	if want := (runCounts{failed: 1}); got != want {
		t.Errorf("invalid event %+v, want %+v", got, want)
	}
}

// TestLostIsJudgedByWhenTheCallEnded: a recording is due, queued and
// counted lost only once its call ended more than Settle ago, its start
// read in the PBX's own zone, east or west of UTC. A 30-minute call that
// ended 3 minutes ago is neither queued nor counted; the run 10 minutes
// later queues it and counts it lost.
func TestLostIsJudgedByWhenTheCallEnded(t *testing.T) {
	for name, zone := range map[string]*time.Location{
		"east": time.FixedZone("PBX", 9*3600), "west": time.FixedZone("PBX", -7*3600),
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, yeastartest.Options{TimeZone: zone})
			e.opts.Settle = trailing.Settle
			now := e.clock.Now().Truncate(time.Second)
			long := []yeastartest.Recording{
				{ID: 1, File: fileIn(zone, now.Add(-50*time.Minute), 1), Size: 8, Duration: 20 * 60}, // ended 30m ago
				{ID: 2, File: fileIn(zone, now.Add(-33*time.Minute), 2), Size: 8, Duration: 30 * 60}, // ended 3m ago
				{ID: 3, File: fileIn(zone, now.Add(-15*time.Minute), 3), Size: 8, Duration: 0},       // ended 15m ago
			}
			for _, r := range long {
				e.sim.AddRecording(r)
			}
			h, logs := metricsHandler(t, e.reconciler(nil))
			payload := backfillOf(now.Add(-time.Hour), now)
			got, out := invoke(t.Context(), t, h, logs, payload, "reconcile done")
			if want := (runCounts{listed: 3, missing: 2, queued: 2, lost: 2, complete: 1}); got != want {
				t.Errorf("first run %+v, want %+v", got, want)
			}
			var res reconcile.Result
			if err := json.Unmarshal(out, &res); err != nil || res.NotDue != 1 {
				t.Errorf("answer %s (%v), want one not due", out, err)
			}
			assertQueuedOnce(t, e.queue, []int64{1, 3})
			e.clock.Advance(10 * time.Minute)
			got, _ = invoke(t.Context(), t, h, logs, payload, "reconcile done")
			if want := (runCounts{listed: 3, missing: 3, queued: 1, lost: 1, complete: 1}); got != want {
				t.Errorf("run 10 minutes later %+v, want %+v", got, want)
			}
			assertQueuedOnce(t, e.queue, []int64{1, 2, 3})
		})
	}
}

// fileIn is the file name of a recording made at t by a PBX in zone.
func fileIn(zone *time.Location, t time.Time, id int) string {
	return fmt.Sprintf("%s-%d.%d-2001-2002-Inbound.wav", t.In(zone).Format("20060102150405"), 1700000000+id, id)
}

// TestMetricsLostCountsEveryWindow: the run's lost count is its own
// window's and every window it continued.
func TestMetricsLostCountsEveryWindow(t *testing.T) {
	fired := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	res := reconcile.Result{Queued: 2, Lost: 2, SkippedRecentlyQueued: 1, Listed: 5, Complete: true, Continued: []reconcile.Result{
		{Listed: 3, Queued: 3, Lost: 3, Complete: true},
		{Listed: 4, Queued: 4, Lost: 1, Complete: true},
	}}
	h, logs := metricsHandler(t, resultRunner{res})
	event := `{"detail-type":"Scheduled Event","source":"aws.events","time":"` + fired.Format(time.RFC3339) + `"}`
	got, _ := invoke(t.Context(), t, h, logs, event, "reconcile done")
	if want := (runCounts{listed: 12, missing: 10, queued: 9, lost: 6, complete: 1}); got != want {
		t.Errorf("scheduled run %+v, want %+v", got, want)
	}
}

// TestStateThatDoesNotOpenIsReported: a state sealed under a rotated
// secret, or garbage, is not emptied silently: the run logs one warning
// with the reason and counts ReconcileStateReset; the run after it, on the
// state it saved, counts none.
func TestStateThatDoesNotOpenIsReported(t *testing.T) {
	e := newEnv(t, yeastartest.Options{})
	start := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	e.add(start, time.Minute, 1, 3, nil)
	payload := backfillOf(start, start.Add(time.Hour))
	for name, body := range map[string][]byte{
		"rotated secret": nil,
		"garbage":        []byte("not a state at all"),
	} {
		t.Run(name, func(t *testing.T) {
			if body == nil {
				o := e.opts
				old := reconcile.New(e.pbx, e.s3, e.bucket, e.keys, e.queue, mustStateStore(t, e.s3, e.bucket, stateKey, "the-secret-before-rotation"), &o)
				if _, err := old.Run(t.Context(), window(t, start, start.Add(time.Hour))); err != nil {
					t.Fatal(err)
				}
			} else if _, err := e.s3.uncounted.PutObject(t.Context(), &s3.PutObjectInput{Bucket: &e.bucket, Key: aws.String(stateKey), Body: bytes.NewReader(body)}); err != nil {
				t.Fatal(err)
			}
			h, logs := metricsHandler(t, e.reconciler(nil))
			got, _ := invoke(t.Context(), t, h, logs, payload, "reconcile done")
			if got.reset != 1 || got.failed != 0 {
				t.Errorf("metrics %+v, want one state reset and no failure", got)
			}
			var warnings []string
			for _, line := range strings.Split(logs.String(), "\n") {
				if strings.Contains(line, `"level":"WARN"`) {
					warnings = append(warnings, line)
				}
			}
			if len(warnings) != 1 || !strings.Contains(warnings[0], "reconcile state reset") || !strings.Contains(warnings[0], `"reason":"`) {
				t.Errorf("warnings %q, want one naming the reset and its reason", warnings)
			}
			if got, _ := invoke(t.Context(), t, h, logs, payload, "reconcile done"); got.reset != 0 || strings.Contains(logs.String(), "WARN") {
				t.Errorf("next run %+v, logs %s: want no reset", got, logs)
			}
		})
	}
}
