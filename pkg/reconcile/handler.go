package reconcile

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/recording-sync/recording-sync/pkg/lambdafn"
	"github.com/recording-sync/recording-sync/pkg/metrics"
)

// Runner runs one reconcile request.
type Runner interface {
	Run(ctx context.Context, req Request) (Result, error)
}

var _ Runner = (*Reconciler)(nil)

// Handler handles one invocation: it decodes it, runs it, logs one line
// when it starts and one when it ends, and answers the Result as JSON. The
// line that ends a run carries its metrics (see runMetrics). The function
// starts it behind lambdafn.Wrap, which redacts what leaves and names
// errors and panics; PanicAttrs are the metrics of a run ended by a panic.
type Handler struct {
	run      Runner
	trailing Trailing
	log      *slog.Logger
	metrics  *metrics.Emitter
}

// HandlerOptions hold the optional settings of a Handler.
type HandlerOptions struct {
	// Metrics, when set, adds the run's metrics to its final line.
	Metrics *metrics.Emitter
}

// NewHandler returns the function's handler. Progress per page is logged
// by the Reconciler's OnPage (see LogProgress). opts may be nil.
func NewHandler(run Runner, t Trailing, log *slog.Logger, opts *HandlerOptions) *Handler {
	h := &Handler{run: run, trailing: t, log: log}
	if opts != nil {
		h.metrics = opts.Metrics
	}
	return h
}

// LogProgress returns an Options.OnPage that logs each page at log, with
// the run's ctx (its requestId).
func LogProgress(log *slog.Logger) func(context.Context, Progress) {
	return func(ctx context.Context, p Progress) {
		log.InfoContext(ctx, "page done", "window", p.Window.String(), "page", p.Page,
			"done", p.Done, "total", p.Total, "queued", p.Queued)
	}
}

// Invoke implements lambda.Handler.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	req, err := Decode(payload, h.trailing)
	if err == nil {
		err = h.serves(ctx, req)
	}
	if err != nil {
		h.log.ErrorContext(ctx, "invalid event", append(lambdafn.ErrorAttrs(err), h.failedMetrics()...)...)
		return nil, err
	}
	started := []any{"window", req.Window.String(), "scheduled", req.Scheduled}
	if req.PBX != "" {
		started = append(started, "pbx", req.PBX)
	}
	h.log.InfoContext(ctx, "reconcile started", started...)
	res, err := h.run.Run(ctx, req)
	h.warn(ctx, res)
	h.logPBXs(ctx, res)
	attrs := []any{"window", res.Window.String(), "listed", res.Listed, "alreadyStored", res.AlreadyStored,
		"queued", res.Queued, "skippedRecentlyQueued", res.SkippedRecentlyQueued, "pages", res.Pages,
		"complete", res.Complete, "continued", len(res.Continued), "queuedInRun", res.queuedInRun(),
		"lostInRun", res.lostInRun(), "scheduled", req.Scheduled}
	if len(res.PBXs) > 0 {
		attrs = append(attrs, "pbxs", len(res.PBXs))
	}
	attrs = append(attrs, h.runMetrics(res, err != nil)...)
	if err != nil {
		h.log.ErrorContext(ctx, "reconcile stopped", append(attrs, lambdafn.ErrorAttrs(err)...)...)
		return nil, err
	}
	h.log.InfoContext(ctx, "reconcile done", attrs...)
	return json.Marshal(res)
}

// warn logs, once per run, what the run had to work around: a state that
// did not open (its unfinished windows dropped) and a PBX clock it could
// not read.
func (h *Handler) warn(ctx context.Context, res Result) {
	if res.StateReset != "" {
		h.log.WarnContext(ctx, "reconcile state reset: it did not open, unfinished windows are dropped", "reason", res.StateReset)
	}
	if res.ClockWarning != "" {
		h.log.WarnContext(ctx, "PBX clock unknown", "reason", res.ClockWarning)
	}
}

// PanicAttrs are the attributes of the line that reports a run ended by a
// panic (lambdafn.Options.PanicAttrs): a failed run's metrics.
func (h *Handler) PanicAttrs() []any { return h.failedMetrics() }

// pbxServer is a Runner that knows which PBXs it serves (a Fleet).
type pbxServer interface {
	Serves(ctx context.Context, id string) error
}

// serves refuses a request for a PBX the runner does not serve: a Runner
// of one PBX serves the default one alone.
func (h *Handler) serves(ctx context.Context, req Request) error {
	if s, ok := h.run.(pbxServer); ok {
		return s.Serves(ctx, req.PBX)
	}
	return req.served()
}

// logPBXs logs one line per PBX of a Fleet's run, with its failure and
// lost recordings as metrics by PBX (the run's line has the totals).
func (h *Handler) logPBXs(ctx context.Context, res Result) {
	for _, p := range res.PBXs {
		attrs := []any{"pbx", p.PBX, "window", p.Window.String(), "listed", p.Listed, "queued", p.queuedInRun(),
			"lostInRun", p.lostInRun(), "pages", p.Pages, "complete", p.Complete, "continued", len(p.Continued)}
		attrs = append(attrs, h.metrics.AttrsBy(metrics.DimPBX, p.PBX, pbxMetrics(p)...)...)
		if p.err != nil {
			h.log.ErrorContext(ctx, "PBX reconcile stopped", append(attrs, lambdafn.ErrorAttrs(p.err)...)...)
			continue
		}
		h.log.InfoContext(ctx, "PBX reconcile done", attrs...)
	}
}

// pbxMetrics are a PBX's metrics by pbx: its failure and its lost
// recordings, each only when not zero, so that a PBX costs a custom metric
// only once there is something to act on.
func pbxMetrics(p Result) []metrics.Value {
	var vals []metrics.Value
	if p.Failed {
		vals = append(vals, metrics.V(metrics.ReconcileRunsFailed, 1))
	}
	if n := p.lostInRun(); n > 0 {
		vals = append(vals, metrics.V(metrics.ReconcileRecordingsLost, float64(n)))
	}
	return vals
}
