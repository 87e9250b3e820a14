package main

import (
	"strings"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/metricstest"
	"github.com/recording-sync/recording-sync/pkg/metrics"
)

// TestReconcileMetrics: a backfill of a past window in which the PBX has
// K recordings and the bucket already holds some, through the built
// function. Every EMF line of its output parses, one (the final line)
// carries the run's metrics, under the function's name: K listed, K -
// stored missing, queued and lost (the window is long settled), the run
// complete and not failed.
func TestReconcileMetrics(t *testing.T) {
	const k, stored = 12, 4
	st := newStack(t, stackOptions{noCopy: true})
	start := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
	recs := st.add(start, 3*time.Minute, 1, k, 1024)
	storeAllBut(t, st, recs, func(i int) bool { return i >= stored })
	res := st.run(t, backfill(start, start.Add(time.Hour)))
	if res.ErrorType != "" || res.Listed != k || res.AlreadyStored != stored || res.Queued != k-stored || !res.Complete {
		t.Fatalf("reconcile: %s", res.raw)
	}

	totals, lines, err := metricstest.ParseLog(st.out.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range lines {
		if !strings.Contains(line, `"message":"reconcile done"`) {
			t.Errorf("metrics on a line other than the final one: %s", line)
		}
	}
	if len(lines) != 1 {
		t.Errorf("%d lines carry metrics, want 1:\n%s", len(lines), st.out.String())
	}
	fn := metrics.DimFunction + "=recording-reconcile"
	for m, want := range map[metrics.Metric]float64{
		metrics.ReconcileRecordingsListed: k, metrics.ReconcileRecordingsMissing: k - stored,
		metrics.ReconcileRecordingsQueued: k - stored, metrics.ReconcileRecordingsLost: k - stored,
		metrics.ReconcileRunsComplete: 1, metrics.ReconcileRunsFailed: 0,
	} {
		if got, ok := totals[metricstest.Series{Namespace: metrics.DefaultNamespace, Name: m.Name, Dimensions: fn}]; !ok || got != want {
			t.Errorf("%s{%s} = %v (present %v), want %v; all: %v", m.Name, fn, got, ok, want, totals)
		}
	}
	if n := len(st.sqs.Messages("recordings")); n != k-stored {
		t.Errorf("%d messages queued, the metric says %d", n, k-stored)
	}
}
