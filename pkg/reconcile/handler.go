package reconcile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"runtime/debug"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/recording-sync/recording-sync/pkg/metrics"
)

// Runner runs one reconcile request.
type Runner interface {
	Run(ctx context.Context, req Request) (Result, error)
}

var _ Runner = (*Reconciler)(nil)

// Redactor masks secrets in text (see package redact).
type Redactor interface {
	String(s string) string
}

// Handler is what the Lambda runtime calls: it decodes the invocation,
// runs it, logs one line when it starts and one when it ends, and answers
// the Result as JSON. Errors leave with their Go type name as errorType
// and their message redacted. The line that ends a run carries its
// metrics (see runMetrics).
type Handler struct {
	run      Runner
	trailing Trailing
	log      *slog.Logger
	red      Redactor
	metrics  *metrics.Emitter
	now      func() time.Time
}

// HandlerOptions hold the optional settings of a Handler.
type HandlerOptions struct {
	// Metrics, when set, adds the run's metrics to its final line.
	Metrics *metrics.Emitter
	// Now is the clock (default time.Now): a run's start, less the
	// trailing Settle, tells which queued recordings were lost.
	Now func() time.Time
}

// NewHandler returns the function's handler. Progress per page is logged
// by the Reconciler's OnPage (see LogProgress). opts may be nil.
func NewHandler(run Runner, t Trailing, log *slog.Logger, red Redactor, opts *HandlerOptions) *Handler {
	h := &Handler{run: run, trailing: t, log: log, red: red, now: time.Now}
	if opts != nil {
		h.metrics = opts.Metrics
		if opts.Now != nil {
			h.now = opts.Now
		}
	}
	return h
}

// LogProgress returns an Options.OnPage that logs each page at log.
func LogProgress(log *slog.Logger) func(Progress) {
	return func(p Progress) {
		log.Info("page done", "window", p.Window.String(), "page", p.Page,
			"done", p.Done, "total", p.Total, "queued", p.Queued)
	}
}

// Invoke implements lambda.Handler.
func (h *Handler) Invoke(ctx context.Context, payload []byte) (resp []byte, err error) {
	defer func() {
		if v := recover(); v != nil {
			h.log.ErrorContext(ctx, "panic", append([]any{"error", fmt.Sprint(v), "stack", string(debug.Stack())}, h.failedMetrics()...)...)
			err = fmt.Errorf("internal error: panic: %v", v)
		}
		if err != nil {
			resp, err = nil, messages.InvokeResponse_Error{Type: errorType(err), Message: h.red.String(err.Error())}
		}
	}()
	started := h.now()
	req, err := Decode(payload, h.trailing)
	if err != nil {
		h.log.ErrorContext(ctx, "invalid event", append([]any{"error", err.Error()}, h.failedMetrics()...)...)
		return nil, err
	}
	h.log.InfoContext(ctx, "reconcile started", "window", req.Window.String(), "scheduled", req.Scheduled)
	res, err := h.run.Run(ctx, req)
	attrs := []any{"window", res.Window.String(), "listed", res.Listed, "alreadyStored", res.AlreadyStored,
		"queued", res.Queued, "skippedRecentlyQueued", res.SkippedRecentlyQueued, "pages", res.Pages,
		"complete", res.Complete, "continued", len(res.Continued), "queuedInRun", res.queuedInRun(), "scheduled", req.Scheduled}
	attrs = append(attrs, h.runMetrics(req, res, started, err != nil)...)
	if err != nil {
		h.log.ErrorContext(ctx, "reconcile stopped", append(attrs, "error", h.red.String(err.Error()))...)
		return nil, err
	}
	h.log.InfoContext(ctx, "reconcile done", attrs...)
	out, err := json.Marshal(res)
	if err != nil {
		return nil, err
	}
	return []byte(h.red.String(string(out))), nil
}

// errorType is the name the Lambda runtime would report for err: the
// outermost named type.
func errorType(err error) string {
	var inc *IncompleteError
	if errors.As(err, &inc) {
		return "IncompleteError"
	}
	t := reflect.TypeOf(err)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}
