package copyhandler

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/recording-sync/recording-sync/pkg/copier"
	"github.com/recording-sync/recording-sync/pkg/lambdafn"
	"github.com/recording-sync/recording-sync/pkg/metrics"
	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/trigger"
)

// DefaultBatchConcurrency is how many records of one SQS batch are copied
// at once by default: the cheapest measured, with the lowest p99 (make
// bench-path under Lambda's CPU share, docs/performance.md). Each copy
// holds its own part buffers, which the upload sizing keeps within half
// the memory setting together (config.UploadFor).
const DefaultBatchConcurrency = 5

// Copier copies one recording.
type Copier interface {
	Copy(ctx context.Context, ref recording.Ref) (recording.Result, error)
}

var _ Copier = (*copier.Copier)(nil)

// Options hold the optional settings of a Handler.
type Options struct {
	BatchConcurrency int // records of an SQS batch copied at once; default DefaultBatchConcurrency
	// DeadLetters, when set, takes the SQS records whose failure no retry
	// can fix (PermanentError, InvalidInputError) at once, instead of
	// the queue redelivering them until its receive limit.
	DeadLetters DeadLetterQueue
	// Redactor masks secrets in the error message a dead letter carries;
	// default none (lambdafn.Wrap redacts only what the runtime sees).
	Redactor Redactor
	// Metrics, when set, adds the copy's metrics to each line that
	// reports a recording (copied, already stored or failed); default none.
	Metrics *metrics.Emitter
	// TokensObtained is how many PBX tokens this process has obtained so
	// far (yeastar.Auth.TokensObtained): each line reports the tokens
	// obtained since the previous one as TokenRenewals. Default none.
	TokensObtained func() int64
	// Now is the clock CallEndToStored is measured on; default time.Now.
	Now func() time.Time
	// ManyPBXs is set when the function serves a PBX registry: every
	// line about a recording names its PBX, "default" included, and its
	// failure is counted by pbx too, as the reconciler counts a PBX's.
	// Unset (one PBX), only a line whose message names a PBX does.
	ManyPBXs bool
	// Returner, when set, hands back to the queue the SQS records of its
	// queue whose copies the PBX refuses as busy in their turn
	// (handback.go, HandBackReceives); default none: they wait inside the
	// invocation.
	Returner Returner
}

// Handler handles invocations. It implements lambda.Handler, so that it
// sees the raw payload and can name what is wrong with it.
type Handler struct {
	copier      Copier
	log         *slog.Logger
	concurrency int
	dlq         DeadLetterQueue
	redact      Redactor
	metrics     *metrics.Emitter
	tokens      func() int64
	tokensSeen  atomic.Int64 // tokens reported as TokenRenewals so far
	now         func() time.Time
	manyPBXs    bool
	returner    Returner
}

// New returns a Handler that copies with copier and logs to log.
func New(copier Copier, log *slog.Logger, opts *Options) *Handler {
	h := &Handler{copier: copier, log: log, concurrency: DefaultBatchConcurrency, redact: identity{}, now: time.Now}
	if opts == nil {
		return h
	}
	h.metrics, h.tokens, h.manyPBXs, h.returner = opts.Metrics, opts.TokensObtained, opts.ManyPBXs, opts.Returner
	if opts.Now != nil {
		h.now = opts.Now
	}
	if opts.BatchConcurrency > 0 {
		h.concurrency = opts.BatchConcurrency
	}
	h.dlq = opts.DeadLetters
	if opts.Redactor != nil {
		h.redact = opts.Redactor
	}
	return h
}

// Skipped is the response when an event names no recording to copy (a
// 30012 event for a call without a recording).
type Skipped struct {
	Skipped bool   `json:"skipped"`
	Reason  string `json:"reason"`
}

// Invoke handles one invocation of any shape trigger.Decode knows. A direct,
// EventBridge or 30012 invocation answers its recording.Result (or
// Skipped) and fails as a whole; an SQS batch answers
// {"batchItemFailures": [...]} naming exactly the records that failed.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	inv, err := trigger.Decode(payload)
	if err != nil {
		h.log.ErrorContext(ctx, "invalid event", append(lambdafn.ErrorAttrs(err), h.failedMetrics(err, "")...)...)
		return nil, err
	}
	if inv.Kind == trigger.KindSQS {
		return json.Marshal(h.batch(ctx, inv.Records))
	}
	res, err := h.item(ctx, inv.Item, nil, slog.String("trigger", string(inv.Kind)))
	if err != nil {
		return nil, err
	}
	return json.Marshal(res)
}

// item copies one item, or reports that there is nothing to copy. w, when
// set, lets the copy of an SQS record be handed back to its queue.
func (h *Handler) item(ctx context.Context, it trigger.Item, w *returnWaiter, attrs ...any) (any, error) {
	if it.Ref == nil {
		h.log.InfoContext(ctx, "nothing to copy", append(attrs, slog.String("reason", it.Skip))...)
		return Skipped{Skipped: true, Reason: it.Skip}, nil
	}
	return h.copy(ctx, *it.Ref, w, attrs...)
}

// copy copies one recording and logs the outcome in one line: copied,
// handed back to the queue (w), or not copied.
func (h *Handler) copy(ctx context.Context, ref recording.Ref, w *returnWaiter, attrs ...any) (recording.Result, error) {
	res, err := h.safeCopy(w.context(ctx), ref)
	pbx := h.linePBX(ref)
	if pbx != "" {
		attrs = append(attrs, slog.String(metrics.DimPBX, pbx))
	}
	attrs = append(attrs,
		slog.Int64("id", ref.ID), // 0 when the event named the file
		slog.String("file", res.File),
		slog.String("key", res.Key),
		slog.Int64("bytes", res.Bytes),
		slog.Int64("durationMs", res.Duration.Milliseconds()),
	)
	if err != nil {
		handedBack, herr := h.handBack(ctx, w, err)
		if handedBack {
			attrs = append(attrs, slog.Int("receiveCount", w.rec.ReceiveCount), slog.Int64("returnAfterS", int64(HandBackAfter/time.Second)))
			h.log.InfoContext(ctx, "recording handed back to the queue: the PBX is busy", append(attrs, h.waitMetrics(res)...)...)
			return res, err
		}
		if herr != nil {
			attrs = append(attrs, slog.String("handBackError", herr.Error()))
		}
		attrs = append(attrs, lambdafn.ErrorAttrs(err)...)
		h.log.ErrorContext(ctx, "recording not copied", append(attrs, h.copyMetrics(pbx, ref, res, err)...)...)
		return res, err
	}
	attrs = append(attrs, slog.Bool("alreadyStored", res.AlreadyStored))
	h.log.InfoContext(ctx, "recording copied", append(attrs, h.copyMetrics(pbx, ref, res, nil)...)...)
	return res, nil
}

// linePBX is the PBX a line about ref names, the pbx member its metrics
// by pbx read: the one ref names, or with many PBXs "default" for one
// that names none; "" for the single PBX, whose messages name none.
func (h *Handler) linePBX(ref recording.Ref) string {
	if ref.PBX == "" && h.manyPBXs {
		return recording.DefaultPBX
	}
	return ref.PBX
}

// safeCopy runs one copy, turning a panic into a *lambdafn.PanicError, so
// that one bad record cannot take down its batch (a panic in a batch
// goroutine would end the process).
func (h *Handler) safeCopy(ctx context.Context, ref recording.Ref) (res recording.Result, err error) {
	defer func() {
		if v := recover(); v != nil {
			res, err = recording.Result{ID: ref.ID, File: ref.File}, lambdafn.Recovered(ctx, h.log, v)
		}
	}()
	return h.copier.Copy(ctx, ref)
}
