package reconcile

import (
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
//   - ReconcileRecordingsLost: of those queued, the ones whose call had
//     ended more than Settle before the run started (its start, read in
//     the PBX's zone and date format, plus its duration): their webhook
//     event was lost. A recording not due yet is neither queued nor
//     counted; a later run that finds it still missing counts it then
//     (Result.Lost).
//   - ReconcileRunsComplete: 1 when the run finished every window it took
//     on and saved that, else 0 (continued next run, or failed).
//   - ReconcileRunsFailed: 1 when the run ended with an error, else 0.
//   - ReconcileStateReset: 1 when the run's state object did not open and
//     the run started afresh, else 0.
func (h *Handler) runMetrics(res Result, failed bool) []any {
	var listed, missing int
	for _, r := range append([]Result{res}, res.Continued...) {
		listed += r.Listed
		missing += r.Queued + r.SkippedRecentlyQueued
	}
	return h.metrics.Attrs("",
		metrics.V(metrics.ReconcileRecordingsListed, float64(listed)),
		metrics.V(metrics.ReconcileRecordingsMissing, float64(missing)),
		metrics.V(metrics.ReconcileRecordingsQueued, float64(res.queuedInRun())),
		metrics.V(metrics.ReconcileRecordingsLost, float64(res.lostInRun())),
		metrics.V(metrics.ReconcileRunsComplete, one(res.Complete && !failed)),
		metrics.V(metrics.ReconcileRunsFailed, one(failed)),
		metrics.V(metrics.ReconcileStateReset, one(res.StateReset != "")))
}

// failedMetrics are the metrics of a run that failed before it started
// (an invalid event) or broke (a panic): a failed run, nothing else.
func (h *Handler) failedMetrics() []any {
	return h.runMetrics(Result{}, true)
}

// one is 1 for true, 0 for false.
func one(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
