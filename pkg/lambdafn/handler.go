package lambdafn

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
)

// Redactor masks secrets in text (see package redact).
type Redactor interface {
	String(s string) string
}

// Options hold the optional settings of a Handler.
type Options struct {
	// PanicAttrs, when set, adds attributes to the line that reports a
	// panic: the function's metrics of a failed invocation.
	PanicAttrs func() []any
}

// Handler is what the Lambda runtime calls: it runs a function's handler
// and makes sure that nothing leaving the function carries a secret and
// that every failure keeps its name. The response and the error message go
// through the redactor; the error leaves with ErrorType as its errorType
// (the name operators alarm on); a panic becomes a *PanicError, logged
// with its stack, instead of the runtime's own report, which would print
// the panic's value and stack unredacted.
type Handler struct {
	next       lambda.Handler
	log        *slog.Logger
	red        Redactor
	panicAttrs func() []any
}

var _ lambda.Handler = (*Handler)(nil)

// Wrap returns next behind the contract; log gets the panic lines. A
// handler of another shape (func(ctx, Event) (Response, error)) is wrapped
// as lambda.NewHandler(f). opts may be nil.
func Wrap(next lambda.Handler, log *slog.Logger, red Redactor, opts *Options) *Handler {
	h := &Handler{next: next, log: log, red: red}
	if opts != nil {
		h.panicAttrs = opts.PanicAttrs
	}
	return h
}

// Invoke implements lambda.Handler.
func (h *Handler) Invoke(ctx context.Context, payload []byte) (resp []byte, err error) {
	defer func() {
		if v := recover(); v != nil {
			var attrs []any
			if h.panicAttrs != nil {
				attrs = h.panicAttrs()
			}
			resp, err = nil, Recovered(ctx, h.log, v, attrs...)
		}
		if err != nil {
			resp, err = nil, messages.InvokeResponse_Error{Type: ErrorType(err), Message: h.red.String(err.Error())}
		}
	}()
	resp, err = h.next.Invoke(ctx, payload)
	if err == nil {
		resp = []byte(h.red.String(string(resp)))
	}
	return resp, err
}

// Recovered turns v, a value recover returned, into a *PanicError and logs
// it in one line with its stack and attrs. Call it from the deferred
// function that recovered, so that the stack shows where the panic came
// from; ctx is the invocation's, so that the line carries its requestId.
func Recovered(ctx context.Context, log *slog.Logger, v any, attrs ...any) *PanicError {
	err := &PanicError{Value: fmt.Sprint(v)}
	line := append(ErrorAttrs(err), slog.String("stack", string(debug.Stack())))
	log.ErrorContext(ctx, "panic", append(line, attrs...)...)
	return err
}
