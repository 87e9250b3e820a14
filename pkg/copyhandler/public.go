package copyhandler

import (
	"context"
	"fmt"
	"reflect"
	"runtime/debug"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// Redactor masks secrets in text (see package redact).
type Redactor interface {
	String(s string) string
}

// PanicError is a panic recovered while handling an invocation.
type PanicError struct {
	Value string
}

func (e *PanicError) Error() string { return "internal error: panic: " + e.Value }

// Public is what the Lambda runtime calls: it runs a Handler and makes sure
// nothing that leaves the function carries a secret. The response and the
// error message go through the redactor; the error keeps its Go type name
// as its errorType (the interface operators alarm on); a panic becomes a
// PanicError instead of the runtime's report, which would print the panic
// value and stack unredacted.
type Public struct {
	h *Handler
	r Redactor
}

// NewPublic wraps h for lambda.Start.
func NewPublic(h *Handler, r Redactor) *Public { return &Public{h: h, r: r} }

// Invoke implements lambda.Handler.
func (p *Public) Invoke(ctx context.Context, payload []byte) (resp []byte, err error) {
	defer func() {
		if v := recover(); v != nil {
			p.h.log.ErrorContext(ctx, "panic", "error", fmt.Sprint(v), "stack", string(debug.Stack()))
			resp, err = nil, &PanicError{Value: fmt.Sprint(v)}
		}
		if err != nil {
			resp, err = nil, messages.InvokeResponse_Error{Type: errorType(err), Message: p.r.String(err.Error())}
		}
	}()
	resp, err = p.h.Invoke(ctx, payload)
	if err == nil {
		resp = []byte(p.r.String(string(resp)))
	}
	return resp, err
}

// errorType is the name the Lambda runtime would report for err.
func errorType(err error) string {
	t := reflect.TypeOf(err)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}
