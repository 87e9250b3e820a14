package config_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/internal/metricstest"
	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/metrics"
)

func TestMetrics(t *testing.T) {
	env := func(kv map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := kv[k]; return v, ok }
	}
	tests := []struct {
		name          string
		env           map[string]string
		namespace, fn string
	}{
		{"defaults", nil, metrics.DefaultNamespace, "recording-sync"},
		{"set", map[string]string{"METRICS_NAMESPACE": "CallCentre/Recordings", "AWS_LAMBDA_FUNCTION_NAME": "s-recording-sync"},
			"CallCentre/Recordings", "s-recording-sync"},
		{"blank values fall back", map[string]string{"METRICS_NAMESPACE": " ", "AWS_LAMBDA_FUNCTION_NAME": " "},
			metrics.DefaultNamespace, "recording-sync"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := config.Metrics(env(tt.env), "recording-sync")
			if err != nil {
				t.Fatal(err)
			}
			ns, fn := emitted(t, e)
			if ns != tt.namespace || fn != tt.fn {
				t.Errorf("the emitter publishes to namespace %q for function %q, want %q and %q", ns, fn, tt.namespace, tt.fn)
			}
		})
	}
	_, err := config.Metrics(env(map[string]string{"METRICS_NAMESPACE": "AWS/Lambda"}), "recording-sync")
	if err == nil || !strings.Contains(err.Error(), "METRICS_NAMESPACE") || strings.Contains(err.Error(), "metrics: ") {
		t.Errorf("AWS/ namespace: %v", err)
	}
}

// emitted writes one metric with e and returns the namespace and the
// function dimension CloudWatch would file it under.
func emitted(t *testing.T, e *metrics.Emitter) (namespace, function string) {
	t.Helper()
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("m", e.Attrs("", metrics.V(metrics.RecordingsCopied, 1))...)
	data, err := metricstest.Parse(buf.Bytes())
	if err != nil || len(data) != 1 {
		t.Fatalf("Parse(%s) = %v, %v; want one datum", buf.Bytes(), data, err)
	}
	return data[0].Namespace, data[0].Dimensions[metrics.DimFunction]
}
