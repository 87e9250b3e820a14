package lambdafn_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/recording-sync/recording-sync/internal/logtest"
	"github.com/recording-sync/recording-sync/internal/metricstest"
	"github.com/recording-sync/recording-sync/pkg/lambdafn"
	"github.com/recording-sync/recording-sync/pkg/metrics"
	"github.com/recording-sync/recording-sync/pkg/redact"
)

// TestLogLinesCarryMetricsInEveryFormat: whatever AWS_LAMBDA_LOG_FORMAT
// says, a function's line is one JSON object with Lambda's key names, the
// invocation's requestId, and the EMF members CloudWatch extracts.
func TestLogLinesCarryMetricsInEveryFormat(t *testing.T) {
	e, err := metrics.NewEmitter("RecordingSync", "stack-recording-sync")
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"JSON", "Text", ""} {
		t.Run("format "+format, func(t *testing.T) {
			var buf bytes.Buffer
			env := map[string]string{"AWS_LAMBDA_LOG_FORMAT": format}
			log := slog.New(redact.New().Handler(lambdafn.LogHandler(&buf, lookup(env))))
			ctx := logtest.Invocation(t.Context(), "req-1")
			log.InfoContext(ctx, "recording copied", e.Attrs("", metrics.V(metrics.RecordingsCopied, 1))...)

			var line map[string]any
			if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
				t.Fatalf("line %q is not JSON: %v", buf.String(), err)
			}
			if line["message"] != "recording copied" || line["requestId"] != "req-1" || line["timestamp"] == nil {
				t.Errorf("line %v: want message, requestId and timestamp", line)
			}
			data, err := metricstest.Parse(buf.Bytes())
			if err != nil || len(data) != 1 || data[0].Name != "RecordingsCopied" || data[0].Sum() != 1 {
				t.Errorf("metrics of %q: %+v, %v; want RecordingsCopied 1", buf.String(), data, err)
			}
		})
	}
}

// TestLogLevelFromLambda: AWS_LAMBDA_LOG_LEVEL drops the lines below it.
func TestLogLevelFromLambda(t *testing.T) {
	for level, wantInfo := range map[string]bool{"": true, "INFO": true, "DEBUG": true, "WARN": false, "ERROR": false} {
		var buf bytes.Buffer
		log := slog.New(lambdafn.LogHandler(&buf, lookup(map[string]string{"AWS_LAMBDA_LOG_LEVEL": level})))
		log.Info("info line")
		if got := buf.Len() > 0; got != wantInfo {
			t.Errorf("AWS_LAMBDA_LOG_LEVEL=%q: an INFO line written = %v, want %v", level, got, wantInfo)
		}
	}
}

func lookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok && v != "" }
}
