package app

import (
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/recording-sync/recording-sync/pkg/redact"
)

// TestBuildReturnsTheRedactingHandler: what Build returns is the handler
// main starts, and it masks secrets in what leaves the function without
// main doing anything: an invalid event quoting the client secret fails
// with the secret masked, in the runtime's error shape.
func TestBuildReturnsTheRedactingHandler(t *testing.T) {
	const secret = "build-test-client-secret-0123"
	env := map[string]string{
		"PBX_BASE_URL":          "https://127.0.0.1:1",
		"PBX_CLIENT_ID":         "client-id",
		"PBX_CLIENT_SECRET":     secret,
		"RECORDINGS_BUCKET":     "bucket",
		"AWS_REGION":            "us-east-1",
		"AWS_ACCESS_KEY_ID":     "AKID",
		"AWS_SECRET_ACCESS_KEY": "SECRET",
	}
	for k, v := range env {
		t.Setenv(k, v) // the AWS SDK reads its settings from the process
	}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	h, err := Build(t.Context(), lookup, redact.New(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	_, err = h.Invoke(t.Context(), []byte(`{"file": "`+secret+`/x.wav"}`))
	var ire messages.InvokeResponse_Error
	if !errors.As(err, &ire) {
		t.Fatalf("Invoke = %v (%T), want the runtime's error shape", err, err)
	}
	if strings.Contains(ire.Message, secret) || !strings.Contains(ire.Message, redact.Mask) {
		t.Errorf("error message %q, want the secret masked", ire.Message)
	}
}
