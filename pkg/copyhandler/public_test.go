package copyhandler

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/redact"
)

const leaked = "tok-0123456789abcdef"

// panicCopier panics with a secret in the panic value.
type panicCopier struct{}

func (panicCopier) Copy(context.Context, recording.Ref) (recording.Result, error) {
	panic("boom with access token " + leaked)
}

// TestPublic checks what leaves the function: errorType kept, messages and
// results redacted, panics recovered (also inside an SQS batch).
func TestPublic(t *testing.T) {
	tests := []struct {
		name, payload string
		copier        Copier
		wantType      string // "" for success
		wantResp      string // substring of the response on success
	}{
		{"error keeps its type, loses the secret", `{"id":1}`,
			&fakeCopier{err: &recording.RetryableError{Ref: recording.Ref{ID: 1}, Err: errors.New("Get https://pbx/x?access_token=" + leaked + ": EOF")}},
			"RetryableError", ""},
		{"panic becomes a PanicError", `{"id":1}`, panicCopier{}, "PanicError", ""},
		{"panic inside a batch fails only its record", `{"Records":[{"messageId":"m1","eventSource":"aws:sqs","body":"{\"id\":1}"}]}`,
			panicCopier{}, "", `{"batchItemFailures":[{"itemIdentifier":"m1"}]}`},
		{"result is redacted too", `{"id":1}`,
			&fakeCopier{res: recording.Result{ID: 1, File: "20220412173331-" + leaked + ".wav", Key: "k"}},
			"", "REDACTED"},
		{"invalid input", `{"id":"x"}`, &fakeCopier{}, "InvalidInputError", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			red := redact.New(leaked)
			h := New(tt.copier, slog.New(red.Handler(slog.NewJSONHandler(&logs, nil))), nil)
			resp, err := NewPublic(h, red).Invoke(t.Context(), []byte(tt.payload))
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
