package webhook

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/recording-sync/recording-sync/pkg/lambdafn"
	"github.com/recording-sync/recording-sync/pkg/metrics"
	"github.com/recording-sync/recording-sync/pkg/queue"
	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/trigger"
)

// MaxBodySize bounds a request body: a 30012 event is under 1 KiB.
const MaxBodySize = 64 << 10

// answerReserve is the time kept before the invocation's deadline to
// answer 503 when the queue does not answer in time: a function killed at
// its deadline would leave the PBX with a gateway error and no log line.
const answerReserve = 500 * time.Millisecond

// Sender puts a recording reference on the recording queue; a nil error
// means it is queued.
type Sender interface {
	Send(ctx context.Context, ref recording.Ref) error
}

// Secrets gives the secrets a request may be signed with (see Keyring).
type Secrets interface {
	// Secrets returns the secrets to accept, at least one, or why there
	// is none yet.
	Secrets(ctx context.Context) ([]string, error)
	// Refresh is called after a signature did not match; it reports
	// whether the secrets changed.
	Refresh(ctx context.Context) bool
}

// Handler answers the PBX's webhook requests, delivered as Lambda Function
// URL events: it verifies the signature over the raw body first, then
// queues the recording a 30012 event names.
type Handler struct {
	secrets    Secrets  // the default PBX's, when set
	pbxs       Keyrings // the others', when set
	queue      Sender
	log        *slog.Logger
	metrics    *metrics.Emitter
	now        func() time.Time
	maxCallAge time.Duration
}

// Options hold the optional settings of a Handler.
type Options struct {
	// Metrics, when set, adds the request's metrics to its log line.
	Metrics *metrics.Emitter
	// PBXs, when set, serves the PBXs beyond the default one: a request
	// to PathPrefix+id is checked with PBX id's secrets and its recording
	// queued with "pbx": id. Without it, only the bare URL is served.
	// It serves the default PBX too when NewHandler has no secrets.
	PBXs Keyrings
	// Now is the clock (default time.Now): a queued recording's call
	// ended when its 30012 event arrived.
	Now func() time.Time
	// MaxCallAge, when positive, is the oldest call start (time_start) a
	// 30012 is queued for; an older one is a replay or a retry long
	// overdue, acknowledged without queueing: the reconciler no longer
	// looks that far back, so the PBX may well have deleted the recording,
	// and its copy would walk the whole retry ladder into the dead-letter
	// queue. A call start that cannot be read is queued.
	MaxCallAge time.Duration
}

// NewHandler returns a Handler checking the default PBX's signatures with
// the secrets secrets gives (nil: the default PBX is one of opts.PBXs) and
// queueing on queue. log gets one line per request, never the body, the
// signature or a secret. opts may be nil.
func NewHandler(secrets Secrets, queue Sender, log *slog.Logger, opts *Options) (*Handler, error) {
	if secrets == nil && (opts == nil || opts.PBXs == nil) {
		return nil, ErrNoSecret
	}
	h := &Handler{secrets: secrets, queue: queue, log: log, now: time.Now}
	if opts != nil {
		h.metrics = opts.Metrics
		h.pbxs = opts.PBXs
		h.maxCallAge = opts.MaxCallAge
		if opts.Now != nil {
			h.now = opts.Now
		}
	}
	return h, nil
}

// answer is what a request gets, and why (for the log line).
type answer struct {
	message   string // the log line's message; "" for "webhook request"
	status    int
	reason    string
	attrs     []any
	err       error // the failure, logged with its errorType
	queued    bool  // a recording was queued
	rejected  bool  // refused for a bad or missing X-Signature
	permanent bool  // the queue refused for good
}

// Handle answers one request. It returns no error: every outcome is an
// HTTP answer, non-2xx only when the PBX should try again (503), the
// queue refused for good (500: the PBX retries too, and an alarm tells
// the operator) or the request can never succeed.
func (h *Handler) Handle(ctx context.Context, req events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
	arrived := h.now().UTC()
	a := h.answer(ctx, req, arrived)
	level := slog.LevelInfo
	switch {
	case a.status >= 500:
		level = slog.LevelError
	case a.status >= 400:
		level = slog.LevelWarn
	}
	attrs := append([]any{slog.Int("status", a.status), slog.String("reason", a.reason)}, a.attrs...)
	if a.err != nil {
		attrs = append(attrs, lambdafn.ErrorAttrs(a.err)...)
	}
	msg := a.message
	if msg == "" {
		msg = "webhook request"
	}
	h.log.Log(ctx, level, msg, append(attrs, h.metricsOf(a)...)...)
	return response(a), nil
}

// metricsOf is the request's metrics: all four on every line, zeros
// included, so that each counter's sample count is the request count.
func (h *Handler) metricsOf(a answer) []any {
	return h.metrics.Attrs("",
		metrics.V(metrics.WebhookEventsReceived, 1),
		metrics.V(metrics.WebhookSignaturesRejected, one(a.rejected)),
		metrics.V(metrics.WebhookEventsQueued, one(a.queued)),
		metrics.V(metrics.WebhookQueueFailedPermanent, one(a.permanent)))
}

// one is 1 for true, 0 for false.
func one(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func (h *Handler) answer(ctx context.Context, req events.LambdaFunctionURLRequest, arrived time.Time) answer {
	if m := req.RequestContext.HTTP.Method; m != http.MethodPost {
		return answer{status: http.StatusMethodNotAllowed, reason: "method " + strconv.Quote(truncate(m, 16)) + " is not POST"}
	}
	pbx, secrets, a, ok := h.route(ctx, req.RawPath)
	if !ok {
		return a
	}
	a = h.verified(ctx, req, secrets, pbx, arrived)
	if pbx != recording.DefaultPBX {
		a.attrs = append([]any{slog.String("pbx", pbx)}, a.attrs...)
	}
	return a
}

// verified answers a request routed to PBX pbx: its body, signed with one
// of secrets, then its event.
func (h *Handler) verified(ctx context.Context, req events.LambdaFunctionURLRequest, secrets Secrets, pbx string, arrived time.Time) answer {
	body, a, ok := rawBody(req)
	if !ok {
		return a
	}
	if a, ok := h.verify(ctx, secrets, body, header(req.Headers, Header)); !ok {
		return a
	}
	return h.event(ctx, body, pbx, arrived)
}

// verify checks signature against the secrets the PBX may sign with. With
// no secret stored yet it answers 503, so that the PBX retries until one
// is. A signature that does not match is checked again when a re-read
// finds the secret rotated.
func (h *Handler) verify(ctx context.Context, keys Secrets, body []byte, signature string) (answer, bool) {
	secrets, err := keys.Secrets(ctx)
	if err != nil {
		return answer{status: http.StatusServiceUnavailable,
			reason: "no usable webhook secret yet, read again at most once a minute: " + err.Error()}, false
	}
	err = verifyAny(body, signature, secrets)
	if errors.Is(err, ErrBadSignature) && keys.Refresh(ctx) {
		if secrets, serr := keys.Secrets(ctx); serr == nil {
			err = verifyAny(body, signature, secrets)
		}
	}
	if err != nil {
		return answer{status: http.StatusUnauthorized, reason: err.Error(), rejected: true}, false
	}
	return answer{}, true
}

// verifyAny accepts a signature made with any of secrets; its error is the
// first secret's.
func verifyAny(body []byte, signature string, secrets []string) error {
	var first error
	for i, s := range secrets {
		err := Verify(body, signature, s)
		if err == nil {
			return nil
		}
		if i == 0 {
			first = err
		}
	}
	return first
}

// rawBody returns the exact bytes the PBX sent, refusing (413) a body over
// MaxBodySize before decoding or verifying anything.
func rawBody(req events.LambdaFunctionURLRequest) ([]byte, answer, bool) {
	tooBig := answer{status: http.StatusRequestEntityTooLarge, reason: "body over " + strconv.Itoa(MaxBodySize) + " bytes"}
	if !req.IsBase64Encoded {
		if len(req.Body) > MaxBodySize {
			return nil, tooBig, false
		}
		return []byte(req.Body), answer{}, true
	}
	if base64.StdEncoding.DecodedLen(len(req.Body)) > MaxBodySize+2 {
		return nil, tooBig, false
	}
	body, err := base64.StdEncoding.DecodeString(req.Body)
	switch {
	case err != nil:
		return nil, answer{status: http.StatusBadRequest, reason: "body marked base64 is not valid base64"}, false
	case len(body) > MaxBodySize:
		return nil, tooBig, false
	}
	return body, answer{}, true
}

// event handles a verified body from PBX pbx: a 30012 with a recording is
// queued, its call ended when the event arrived (the PBX posts 30012 as
// the call ends); anything else the PBX may push is acknowledged and
// ignored.
func (h *Handler) event(ctx context.Context, body []byte, pbx string, arrived time.Time) answer {
	if a, ok := eventType(body); !ok {
		return a
	}
	item, err := trigger.DecodePBXEvent(body)
	if err != nil {
		return answer{status: http.StatusBadRequest, reason: reasonOf(err), err: err}
	}
	if item.Ref == nil {
		return answer{status: http.StatusOK, reason: item.Skip + ": nothing queued"}
	}
	item.Ref.CallEnded = &arrived
	if pbx != recording.DefaultPBX {
		item.Ref.PBX = pbx
	}
	attrs := []any{slog.String("file", item.Ref.File)}
	if item.Ref.Call != nil {
		attrs = append(attrs, slog.String("callId", item.Ref.Call.ID))
	}
	if a, stale := h.stale(item.Ref, arrived, attrs); stale {
		return a
	}
	sendCtx := ctx
	if deadline, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		sendCtx, cancel = context.WithDeadline(ctx, deadline.Add(-answerReserve))
		defer cancel()
	}
	if err := h.queue.Send(sendCtx, *item.Ref); err != nil {
		return notQueued(*item.Ref, err, attrs)
	}
	return answer{status: http.StatusOK, reason: "queued", attrs: attrs, queued: true}
}

// notQueued answers a send of ref that failed with err, classified by
// package queue: a reference that cannot be a message is the request's
// fault (400); a queue that refuses for good (access denied, no such
// queue, its KMS key unusable) is a *recording.PermanentError answered
// 500 and counted; anything else may pass, a *recording.RetryableError
// answered 503. The PBX retries both 5xx.
func notQueued(ref recording.Ref, err error, attrs []any) answer {
	var inv *recording.InvalidInputError
	if errors.As(err, &inv) {
		return answer{status: http.StatusBadRequest, reason: inv.Reason, attrs: attrs, err: err}
	}
	var qe *queue.Error
	if errors.As(err, &qe) && !qe.Retryable() {
		return answer{status: http.StatusInternalServerError, reason: "not queued, the queue refuses: " + err.Error(), attrs: attrs,
			err: &recording.PermanentError{Ref: ref, Err: err}, permanent: true}
	}
	return answer{status: http.StatusServiceUnavailable, reason: "not queued: " + err.Error(), attrs: attrs,
		err: &recording.RetryableError{Ref: ref, Err: err}}
}

// header returns the first value of name, matched case-insensitively:
// Function URLs pass header names in lower case, other fronts may not.
func header(headers map[string]string, name string) string {
	if v, ok := headers[strings.ToLower(name)]; ok {
		return v
	}
	for k, v := range headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// response is the Function URL answer: the status and a short JSON body
// saying what happened, without anything from the request.
func response(a answer) events.LambdaFunctionURLResponse {
	body, _ := json.Marshal(map[string]string{"status": http.StatusText(a.status)}) // cannot fail
	resp := events.LambdaFunctionURLResponse{
		StatusCode: a.status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(body),
	}
	if a.status == http.StatusMethodNotAllowed {
		resp.Headers["Allow"] = http.MethodPost
	}
	return resp
}

func reasonOf(err error) string {
	var inv *recording.InvalidInputError
	if errors.As(err, &inv) {
		return inv.Reason
	}
	return err.Error()
}

// truncate shortens s for a log line, keeping it valid UTF-8.
func truncate(s string, n int) string {
	if len(s) > n {
		s = s[:n] + "..."
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
