package copyhandler

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/recording-sync/recording-sync/internal/logtest"
	"github.com/recording-sync/recording-sync/pkg/lambdafn"
	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/redact"
)

const leaked = "tok-0123456789abcdef"

// panicCopier panics with a secret in the panic value.
type panicCopier struct{}

func (panicCopier) Copy(context.Context, recording.Ref) (recording.Result, error) {
	panic("boom with access token " + leaked)
}

// TestWrapped checks what leaves the function behind lambdafn.Wrap, as
// copyapp.Build starts it: errorType kept, messages and results redacted,
// panics recovered (also inside an SQS batch); and that every line carries
// the invocation's requestId, every failure's line its error and
// errorType.
func TestWrapped(t *testing.T) {
	tests := []struct {
		name, payload string
		copier        Copier
		wantType      string // "" for success
		wantResp      string // substring of the response on success
		lineType      string // the errorType of the failure lines
	}{
		{"error keeps its type, loses the secret", `{"id":1}`,
			&fakeCopier{err: &recording.RetryableError{Ref: recording.Ref{ID: 1}, Err: errors.New("Get https://pbx/x?access_token=" + leaked + ": EOF")}},
			"RetryableError", "", "RetryableError"},
		{"panic becomes a PanicError", `{"id":1}`, panicCopier{}, "PanicError", "", "PanicError"},
		{"panic inside a batch fails only its record", `{"Records":[{"messageId":"m1","eventSource":"aws:sqs","body":"{\"id\":1}"}]}`,
			panicCopier{}, "", `{"batchItemFailures":[{"itemIdentifier":"m1"}]}`, "PanicError"},
		{"result is redacted too", `{"id":1}`,
			&fakeCopier{res: recording.Result{ID: 1, File: "20220412173331-" + leaked + ".wav", Key: "k"}},
			"", "REDACTED", ""},
		{"invalid input", `{"id":"x"}`, &fakeCopier{}, "InvalidInputError", "", "InvalidInputError"},
		{"invalid message in a batch", `{"Records":[{"messageId":"m1","eventSource":"aws:sqs","body":"{\"id\":\"x\"}"}]}`,
			&fakeCopier{}, "", `{"batchItemFailures":[{"itemIdentifier":"m1"}]}`, "InvalidInputError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			red := redact.New(leaked)
			log := slog.New(red.Handler(logtest.Handler(&logs)))
			h := lambdafn.Wrap(New(tt.copier, log, nil), log, red, nil)
			resp, err := h.Invoke(logtest.Invocation(t.Context(), "req-copy-1"), []byte(tt.payload))
			if tt.wantType == "" {
				if err != nil || !strings.Contains(string(resp), tt.wantResp) {
					t.Fatalf("Invoke = %s, %v; want a response containing %s", resp, err, tt.wantResp)
				}
			} else {
				var ive messages.InvokeResponse_Error
				if !errors.As(err, &ive) || ive.Type != tt.wantType || resp != nil {
					t.Fatalf("Invoke = %s, %#v; want errorType %s", resp, err, tt.wantType)
				}
			}
			failures := logtest.CheckLines(t, logs.Bytes(), "req-copy-1", tt.lineType)
			if (tt.lineType != "") != (failures > 0) {
				t.Errorf("%d failure lines, want them when the errorType is %q: %s", failures, tt.lineType, logs.String())
			}
			for what, text := range map[string]string{"response": string(resp), "logs": logs.String(), "error": errText(err)} {
				if strings.Contains(text, leaked) {
					t.Errorf("the %s leaks the secret: %s", what, text)
				}
			}
		})
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
