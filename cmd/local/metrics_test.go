package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/metrics"
)

// TestMetricsSummary: lines as the functions write them, through the
// stack's log filter, come out as the summary's totals.
func TestMetricsSummary(t *testing.T) {
	st := &stack{metrics: newMetricsLog()}
	var printed bytes.Buffer
	filter := st.logs(&printed)
	e, err := metrics.NewEmitter(metrics.DefaultNamespace, "recording-sync")
	if err != nil {
		t.Fatal(err)
	}
	// lambdacontext's JSON lines start with "timestamp".
	log := slog.New(slog.NewJSONHandler(filter, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			a.Key = "timestamp"
		}
		return a
	}}))
	log.Info("recording copied", e.Attrs("", metrics.V(metrics.RecordingsCopied, 1), metrics.V(metrics.BytesCopied, 1000), metrics.V(metrics.CopyDuration, 40))...)
	log.Info("recording copied", e.Attrs("", metrics.V(metrics.RecordingsCopied, 1), metrics.V(metrics.BytesCopied, 24), metrics.V(metrics.CopyDuration, 60))...)
	// The function adds errorType itself (lambdafn.ErrorAttrs), beside the
	// directive that names it as a dimension.
	log.Error("recording not copied", append(e.Attrs("PermanentError", metrics.V(metrics.RecordingsFailed, 1)), "errorType", "PermanentError")...)
	_, _ = filter.Write([]byte("START RequestId: x\n")) // the emulator's own line: no metrics

	var out bytes.Buffer
	if err := st.metrics.print(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"recording-sync  (namespace RecordingSync, function=recording-sync)",
		"RecordingsCopied                   2\n",
		"RecordingsFailed                   1\n",
		"errorType=PermanentError         1\n",
		"BytesCopied                        1024 bytes",
		"CopyDuration                       2 values, average 50 Milliseconds, maximum 60 Milliseconds",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
	if err := st.metrics.matches(&out, stored{recordings: 2, bytes: 1024}); err != nil {
		t.Errorf("matches: %v", err)
	}
	if err := st.metrics.matches(&out, stored{recordings: 3, bytes: 1024}); err == nil {
		t.Error("a bucket with a recording the metrics do not count matched")
	}
	if !strings.Contains(printed.String(), "function log:") {
		t.Errorf("the log lines were not passed on: %s", printed.String())
	}
	// A line CloudWatch would refuse fails the summary.
	_, _ = filter.Write([]byte(`{"timestamp":"x","_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"NS","Dimensions":[["gone"]],"Metrics":[]}]}}` + "\n"))
	if err := st.metrics.print(&out); err == nil || !strings.Contains(err.Error(), "not valid EMF") {
		t.Errorf("print after a bad line = %v", err)
	}
}
