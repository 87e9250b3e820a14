package copyhandler

import (
	"context"
	"errors"
	"time"

	"github.com/recording-sync/recording-sync/pkg/lambdafn"
	"github.com/recording-sync/recording-sync/pkg/metrics"
	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/trigger"
)

// copyMetrics are the metrics of the line that reports one recording: ref
// copied (or found already stored) as res, or failed with err. A failure
// is counted by pbx too when the line names its PBX (pbx, its member).
func (h *Handler) copyMetrics(pbx string, ref recording.Ref, res recording.Result, err error) []any {
	if h.metrics == nil {
		return nil
	}
	vals := h.waitValues(res)
	switch {
	case err != nil:
		return h.metrics.AttrsPBX(lambdafn.ErrorType(err), pbx, append(vals, metrics.V(metrics.RecordingsFailed, 1))...)
	case res.AlreadyStored:
		vals = append(vals,
			metrics.V(metrics.RecordingsCopied, 0),
			metrics.V(metrics.RecordingsAlreadyStored, 1),
			metrics.V(metrics.BytesCopied, 0))
	default:
		vals = append(vals,
			metrics.V(metrics.RecordingsCopied, 1),
			metrics.V(metrics.RecordingsAlreadyStored, 0),
			metrics.V(metrics.BytesCopied, float64(res.Bytes)),
			metrics.V(metrics.CopyDuration, float64(res.Duration)/float64(time.Millisecond)))
		// A call end in the future is a clock skew between the PBX and
		// AWS: no latency can be told from it.
		if ref.CallEnded != nil {
			if d := h.now().Sub(*ref.CallEnded); d >= 0 {
				vals = append(vals, metrics.V(metrics.CallEndToStored, d.Seconds()))
			}
		}
	}
	return h.metrics.Attrs("", vals...)
}

// waitValues are what every line about a copy reports: its waits, and the
// tokens obtained since the last line.
func (h *Handler) waitValues(res recording.Result) []metrics.Value {
	return []metrics.Value{
		metrics.V(metrics.DownloadResumes, float64(res.Resumes)),
		metrics.V(metrics.BusyWaits, float64(res.BusyWaits)),
		metrics.V(metrics.TokenRenewals, float64(h.tokenRenewals())),
	}
}

// waitMetrics are the metrics of the line that reports a copy handed back
// to the queue: neither copied nor failed, it will be received again.
func (h *Handler) waitMetrics(res recording.Result) []any {
	if h.metrics == nil {
		return nil
	}
	return h.metrics.Attrs("", append(h.waitValues(res), metrics.V(metrics.RecordingsHandedBack, 1))...)
}

// failedMetrics are the metrics of a line that reports a recording not
// attempted: an invalid event or message, a record not started. The line
// carries lambdafn.ErrorAttrs(err), whose errorType is their dimension,
// and the PBX it names as its pbx member (none: "").
func (h *Handler) failedMetrics(err error, pbx string) []any {
	return h.metrics.AttrsPBX(lambdafn.ErrorType(err), pbx, metrics.V(metrics.RecordingsFailed, 1))
}

// tokenRenewals returns how many PBX tokens this process obtained since the
// last line that reported them. Lines written concurrently each claim a
// disjoint share, never a negative one, so that the lines together report
// every token once.
func (h *Handler) tokenRenewals() int64 {
	if h.tokens == nil {
		return 0
	}
	total := h.tokens()
	for {
		seen := h.tokensSeen.Load()
		if total <= seen {
			return 0 // a concurrent line reported these already
		}
		if h.tokensSeen.CompareAndSwap(seen, total) {
			return total - seen
		}
	}
}

// notStarted is the failure of a batch record left unstarted because ctx
// ended: what its copy would have reported, a *recording.TimeoutError at
// the invocation's deadline, else a *recording.RetryableError. The queue
// retries it either way.
func notStarted(ctx context.Context, rec trigger.Record) error {
	var ref recording.Ref
	if rec.Item.Ref != nil {
		ref = *rec.Item.Ref
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &recording.TimeoutError{Ref: ref, Err: ctx.Err()}
	}
	return &recording.RetryableError{Ref: ref, Err: ctx.Err()}
}
