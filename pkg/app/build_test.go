package app

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"maps"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/recording-sync/recording-sync/internal/metricstest"
	"github.com/recording-sync/recording-sync/pkg/lambdafn"
	"github.com/recording-sync/recording-sync/pkg/metrics"
	"github.com/recording-sync/recording-sync/pkg/redact"
)

// TestBuildReturnsTheRedactingHandler: what BuildCopy returns is the handler
// main starts, and it masks secrets in what leaves the function without
// main doing anything: an invalid event quoting the client secret fails
// with the secret masked, in the runtime's error shape.
func TestBuildReturnsTheRedactingHandler(t *testing.T) {
	const secret = "build-test-client-secret-0123"
	lookup := useEnv(t, buildEnv(map[string]string{"PBX_CLIENT_SECRET": secret}))
	h, err := BuildCopy(t.Context(), lookup, redact.New(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("BuildCopy: %v", err)
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

// TestBuildEmitsMetrics: BuildCopy wires the emitter from the environment. An
// invalid event's line carries RecordingsFailed for the function named by
// AWS_LAMBDA_FUNCTION_NAME (or metrics.FunctionCopy without one), in
// METRICS_NAMESPACE; a namespace CloudWatch would refuse fails BuildCopy.
func TestBuildEmitsMetrics(t *testing.T) {
	base := buildEnv(nil)
	for k, v := range base {
		t.Setenv(k, v)
	}
	tests := []struct {
		name            string
		env             map[string]string
		namespace, fn   string
		wantBuildFailed bool
	}{
		{name: "defaults", namespace: metrics.DefaultNamespace, fn: metrics.FunctionCopy},
		{name: "named", env: map[string]string{"METRICS_NAMESPACE": "Calls", "AWS_LAMBDA_FUNCTION_NAME": "stack-copy"},
			namespace: "Calls", fn: "stack-copy"},
		{name: "reserved namespace", env: map[string]string{"METRICS_NAMESPACE": "AWS/Lambda"}, wantBuildFailed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lookup := func(k string) (string, bool) {
				if v, ok := tt.env[k]; ok {
					return v, true
				}
				v, ok := base[k]
				return v, ok
			}
			var buf bytes.Buffer
			h, err := BuildCopy(t.Context(), lookup, redact.New(), slog.New(slog.NewJSONHandler(&buf, nil)))
			if tt.wantBuildFailed {
				if err == nil || !strings.Contains(err.Error(), "METRICS_NAMESPACE") {
					t.Fatalf("BuildCopy = %v, want an error naming METRICS_NAMESPACE", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("BuildCopy: %v", err)
			}
			if _, err := h.Invoke(t.Context(), []byte(`{"file": "../x.wav"}`)); err == nil {
				t.Fatal("Invoke of an invalid event succeeded")
			}
			totals := metricstest.Totals{}
			for line := range bytes.Lines(buf.Bytes()) {
				data, err := metricstest.Parse(line)
				if err != nil {
					t.Fatalf("Parse(%s): %v", line, err)
				}
				totals.Add(data...)
			}
			fn := metrics.DimFunction + "=" + tt.fn
			if got := totals.Get(tt.namespace, "RecordingsFailed", fn, "errorType=InvalidInputError"); got != 1 {
				t.Errorf("RecordingsFailed{%s, InvalidInputError} = %v, want 1; log: %s", fn, got, buf.String())
			}
		})
	}
}

// A PBX reached over plain http:// (allowed by PBX_ALLOW_HTTP) is
// warned of when either function starts; https:// is not.
func TestBuildWarnsOfPlainHTTP(t *testing.T) {
	builds := map[string]func(context.Context, func(string) (string, bool), *redact.Redactor, *slog.Logger) (*lambdafn.Handler, error){
		"copy": BuildCopy, "reconcile": BuildReconcile,
	}
	for name, build := range builds {
		for _, url := range []string{"http://127.0.0.1:1", "https://127.0.0.1:1"} {
			t.Run(name+" "+url, func(t *testing.T) {
				lookup := useEnv(t, buildEnv(map[string]string{"PBX_BASE_URL": url, "PBX_ALLOW_HTTP": "true",
					"RECORDINGS_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/q"}))
				var buf bytes.Buffer
				if _, err := build(t.Context(), lookup, redact.New(), slog.New(slog.NewTextHandler(&buf, nil))); err != nil {
					t.Fatal(err)
				}
				warned := strings.Contains(buf.String(), "level=WARN") && strings.Contains(buf.String(), "unencrypted")
				if want := strings.HasPrefix(url, "http:"); warned != want {
					t.Errorf("warned = %v, want %v; log: %s", warned, want, buf.String())
				}
			})
		}
	}
}

// buildEnv is a complete environment of the copy function, its PBX
// unreachable, with extra set over it.
func buildEnv(extra map[string]string) map[string]string {
	env := map[string]string{
		"PBX_BASE_URL":          "https://127.0.0.1:1",
		"PBX_CLIENT_ID":         "client-id",
		"PBX_CLIENT_SECRET":     "build-test-client-secret",
		"RECORDINGS_BUCKET":     "bucket",
		"AWS_REGION":            "us-east-1",
		"AWS_ACCESS_KEY_ID":     "AKID",
		"AWS_SECRET_ACCESS_KEY": "SECRET",
	}
	maps.Copy(env, extra)
	return env
}

// useEnv sets env in the process, where the AWS SDK reads its settings,
// and returns the lookup of env the builders take.
func useEnv(t *testing.T, env map[string]string) func(string) (string, bool) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}
