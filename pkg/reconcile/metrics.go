package reconcile

import (
	"time"

	"github.com/recording-sync/recording-sync/pkg/metrics"
)

// runMetrics are the metrics of one run, for its final line: every one of
// the reconciler's metrics, zeros included, so that each line says what
// its run did. Over the run means over its own window and the windows of
// earlier runs it continued (res.Continued).
//
//   - ReconcileRecordingsListed: recordings the PBX listed that the run had
//     not handled before (Result.Listed).
//   - ReconcileRecordingsMissing: recordings the bucket lacked, that the
//     run dealt with: those it queued and those it skipped as queued
//     recently (Queued + SkippedRecentlyQueued). Not counted: recordings
//     whose name cannot become a key (Invalid: whether the bucket has
//     them cannot be told) and, when the run failed, recordings found
//     missing but not queued: the next run finds them again and counts
//     them then. It is an observation per run, not of distinct recordings:
//     a recording queued by one run and not yet copied when the next one
//     looks is missing in both.
//   - ReconcileRecordingsQueued: recordings the run queued.
//   - ReconcileRecordingsLost: of those queued, the ones older than the
//     settle time, whose webhook event was lost. The reconciler cannot
//     tell one recording's instant: the PBX's "time" and file names are in
//     its local time, whose zone it does not know. So it counts by window:
//     the PBX selects a window's recordings by absolute instants, and a
//     window that ended at or before the run's start less Settle holds
//     only settled recordings, all of whose queued ones are lost. That is
//     every scheduled window (it ends Settle before the schedule fired)
//     and a backfill of the past. A window reaching into the last Settle
//     (a backfill up to now) counts none: some of its recordings may have
//     their event still on its way, and a false alarm is worse than a
//     late one (a later scheduled run counts them).
//   - ReconcileRunsComplete: 1 when the run finished every window it took
//     on and saved that, else 0 (continued next run, or failed).
//   - ReconcileRunsFailed: 1 when the run ended with an error, else 0.
func (h *Handler) runMetrics(req Request, res Result, started time.Time, failed bool) []any {
	settled := started.Add(-h.trailing.Settle)
	var listed, missing, lost int
	for i, r := range append([]Result{res}, res.Continued...) {
		listed += r.Listed
		missing += r.Queued + r.SkippedRecentlyQueued
		if i == 0 && req.Scheduled || !r.Window.To.After(settled) {
			lost += r.Queued
		}
	}
	return h.metrics.Attrs("",
		metrics.V(metrics.ReconcileRecordingsListed, float64(listed)),
		metrics.V(metrics.ReconcileRecordingsMissing, float64(missing)),
		metrics.V(metrics.ReconcileRecordingsQueued, float64(res.queuedInRun())),
		metrics.V(metrics.ReconcileRecordingsLost, float64(lost)),
		metrics.V(metrics.ReconcileRunsComplete, one(res.Complete && !failed)),
		metrics.V(metrics.ReconcileRunsFailed, one(failed)))
}

// failedMetrics are the metrics of a run that failed before it started
// (an invalid event) or broke (a panic): a failed run, nothing else.
func (h *Handler) failedMetrics() []any {
	return h.runMetrics(Request{}, Result{}, time.Time{}, true)
}

// one is 1 for true, 0 for false.
func one(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
