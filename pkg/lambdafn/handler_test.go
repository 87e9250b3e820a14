package lambdafn_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/recording-sync/recording-sync/internal/logtest"
	"github.com/recording-sync/recording-sync/pkg/lambdafn"
	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/redact"
)

const secret = "tok-0123456789abcdef"

// handlerFunc is a lambda.Handler of a function.
type handlerFunc func(ctx context.Context, payload []byte) ([]byte, error)

func (f handlerFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

// TestWrap: what leaves through the wrapper is redacted and named, and a
// panic is a PanicError logged once, with its stack, the invocation's
// requestId and the function's panic attributes.
func TestWrap(t *testing.T) {
	tests := []struct {
		name     string
		next     lambda.Handler
		wantType string // "" for success
		wantResp string
	}{
		{"response redacted", handlerFunc(func(context.Context, []byte) ([]byte, error) {
			return []byte(`{"key":"` + secret + `"}`), nil
		}), "", `{"key":"` + redact.Mask + `"}`},
		{"error named and redacted", handlerFunc(func(context.Context, []byte) ([]byte, error) {
			return nil, &recording.PermanentError{Err: errors.New("GET ?access_token=" + secret)}
		}), "PermanentError", ""},
		{"panic", handlerFunc(func(context.Context, []byte) ([]byte, error) {
			panic("boom " + secret)
		}), "PanicError", ""},
		{"typed handler panics", lambda.NewHandler(func(context.Context, events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
			panic("boom " + secret)
		}), "PanicError", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			red := redact.New(secret)
			log := slog.New(red.Handler(logtest.Handler(&logs)))
			h := lambdafn.Wrap(tt.next, log, red, &lambdafn.Options{PanicAttrs: func() []any { return []any{"RunsFailed", 1} }})
			resp, err := h.Invoke(logtest.Invocation(t.Context(), "req-1"), []byte(`{}`))
			if tt.wantType == "" {
				if err != nil || string(resp) != tt.wantResp {
					t.Fatalf("Invoke = %s, %v; want %s", resp, err, tt.wantResp)
				}
				return
			}
			var ire messages.InvokeResponse_Error
			if !errors.As(err, &ire) || ire.Type != tt.wantType || resp != nil {
				t.Fatalf("Invoke = %s, %#v; want errorType %s", resp, err, tt.wantType)
			}
			if strings.Contains(ire.Message, secret) || strings.Contains(logs.String(), secret) {
				t.Errorf("a secret leaked: %q / %s", ire.Message, logs.String())
			}
			if tt.wantType != "PanicError" {
				if logs.Len() != 0 {
					t.Errorf("the wrapper logged a returned error (its handler's line does): %s", logs.String())
				}
				return
			}
			if n := logtest.CheckLines(t, logs.Bytes(), "req-1", "PanicError"); n != 1 {
				t.Fatalf("%d failure lines, want the one panic line: %s", n, logs.String())
			}
			line := logtest.Lines(t, logs.Bytes())[0]
			if stack, _ := line["stack"].(string); !strings.Contains(stack, "handler_test.go") || line["RunsFailed"] != 1.0 {
				t.Errorf("panic line %v, want the stack down to the panic and the panic attributes", line)
			}
		})
	}
}
