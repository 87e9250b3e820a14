package copyapp

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/recording-sync/recording-sync/internal/apptest"
	"github.com/recording-sync/recording-sync/internal/metricstest"
	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/metrics"
	"github.com/recording-sync/recording-sync/pkg/redact"
)

// TestBuildReturnsTheRedactingHandler: what Build returns is the handler
// main starts, and it masks secrets in what leaves the function without
// main doing anything: an invalid event quoting the client secret fails
// with the secret masked, in the runtime's error shape.
func TestBuildReturnsTheRedactingHandler(t *testing.T) {
	const secret = "build-test-client-secret-0123"
	lookup := apptest.Use(t, apptest.Env(map[string]string{"PBX_CLIENT_SECRET": secret}))
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

// TestBuildEmitsMetrics: Build wires the emitter from the environment. An
// invalid event's line carries RecordingsFailed for the function named by
// AWS_LAMBDA_FUNCTION_NAME (or metrics.FunctionCopy without one), in
// METRICS_NAMESPACE; a namespace CloudWatch would refuse fails Build.
func TestBuildEmitsMetrics(t *testing.T) {
	base := apptest.Env(nil)
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
			h, err := Build(t.Context(), lookup, redact.New(), slog.New(slog.NewJSONHandler(&buf, nil)))
			if tt.wantBuildFailed {
				if err == nil || !strings.Contains(err.Error(), "METRICS_NAMESPACE") {
					t.Fatalf("Build = %v, want an error naming METRICS_NAMESPACE", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Build: %v", err)
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

// TestBuildRefusesKeysWithoutPBX: two PBXs and a key template without
// {pbx} refuse to start, with one line naming the variable and why.
func TestBuildRefusesKeysWithoutPBX(t *testing.T) {
	path := filepath.Join(t.TempDir(), "registry.json")
	apptest.WriteRegistry(t, path, apptest.TwoPBXs)
	_, err := Build(t.Context(), apptest.Use(t, registryEnv(path, "recordings/{file}")), redact.New(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	var ce *config.Error
	if !errors.As(err, &ce) || ce.Var != "RECORDINGS_KEY_TEMPLATE" || !strings.Contains(err.Error(), "has no {pbx}, but 2 PBXs are configured") ||
		strings.Contains(err.Error(), "\n") {
		t.Fatalf("Build = %v, want one line refusing RECORDINGS_KEY_TEMPLATE without {pbx}", err)
	}
	if _, err := Build(t.Context(), apptest.Use(t, registryEnv(path, "recordings/{pbx}/{file}")), redact.New(), slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Errorf("Build with {pbx}: %v", err)
	}
}

// TestBuildWithoutAnyPBX: a registry source is enough to start; none
// and no PBX_BASE_URL is today's error.
func TestBuildWithoutAnyPBX(t *testing.T) {
	env := registryEnv("", "")
	delete(env, "PBX_REGISTRY_FILE")
	_, err := Build(t.Context(), apptest.Use(t, env), redact.New(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || !strings.Contains(err.Error(), "PBX_BASE_URL is required") {
		t.Errorf("Build without a PBX = %v, want the PBX_BASE_URL error", err)
	}
}

func registryEnv(path, template string) map[string]string {
	return map[string]string{
		"PBX_REGISTRY_FILE":       path,
		"RECORDINGS_BUCKET":       "bucket",
		"RECORDINGS_KEY_TEMPLATE": template,
		"AWS_REGION":              "us-east-1",
		"AWS_ACCESS_KEY_ID":       "AKID",
		"AWS_SECRET_ACCESS_KEY":   "SECRET",
	}
}
