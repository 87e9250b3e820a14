package metrics_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/internal/metricstest"
	"github.com/recording-sync/recording-sync/pkg/metrics"
	"github.com/recording-sync/recording-sync/pkg/redact"
)

// logLine writes one line the way the functions do: slog's JSON handler
// behind the redacting handler, a failure's line with its errorType
// member, and returns it.
func logLine(t *testing.T, e *metrics.Emitter, errorType string, vals ...metrics.Value) []byte {
	t.Helper()
	var buf bytes.Buffer
	log := slog.New(redact.New("S3CRETvalue0123").Handler(slog.NewJSONHandler(&buf, nil)))
	attrs := []any{"file", "a.wav", "bytes", 7}
	if errorType != "" {
		attrs = append(attrs, metrics.DimErrorType, errorType)
	}
	log.Info("recording copied", append(attrs, e.Attrs(errorType, vals...)...)...)
	return buf.Bytes()
}

func newEmitter(t *testing.T) *metrics.Emitter {
	t.Helper()
	e, err := metrics.NewEmitter("RecordingSync", "stack-recording-sync")
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// parseLine reads line as EMF, and the totals of its data.
func parseLine(t *testing.T, line []byte) ([]metricstest.Datum, metricstest.Totals) {
	t.Helper()
	data, err := metricstest.Parse(line)
	if err != nil {
		t.Fatalf("Parse(%s): %v", line, err)
	}
	totals := metricstest.Totals{}
	totals.Add(data...)
	return data, totals
}

func TestEmitParsesAsEMF(t *testing.T) {
	line := logLine(t, newEmitter(t), "",
		metrics.V(metrics.RecordingsCopied, 1), metrics.V(metrics.BytesCopied, 1048576), metrics.V(metrics.CopyDuration, 850))
	data, totals := parseLine(t, line)
	fn := "function=stack-recording-sync"
	for name, want := range map[string]float64{"RecordingsCopied": 1, "BytesCopied": 1048576, "CopyDuration": 850} {
		if got := totals.Get("RecordingSync", name, fn); got != want {
			t.Errorf("%s = %v, want %v (line %s)", name, got, want, line)
		}
	}
	if len(totals) != 3 {
		t.Errorf("%d series, want 3: %v", len(totals), totals)
	}
	units := map[string]metrics.Unit{}
	for _, d := range data {
		units[d.Name] = d.Unit
	}
	if units["BytesCopied"] != metrics.Bytes || units["CopyDuration"] != metrics.Milliseconds || units["RecordingsCopied"] != metrics.Count {
		t.Errorf("units = %v", units)
	}
	// The line is still the log line it was.
	if !bytes.Contains(line, []byte(`"msg":"recording copied"`)) || !bytes.Contains(line, []byte(`"file":"a.wav"`)) {
		t.Errorf("log line lost its own members: %s", line)
	}
}

func TestFailureByErrorType(t *testing.T) {
	line := logLine(t, newEmitter(t), "PermanentError",
		metrics.V(metrics.RecordingsFailed, 1), metrics.V(metrics.DownloadResumes, 2))
	_, totals := parseLine(t, line)
	fn := "function=stack-recording-sync"
	checks := []struct {
		name string
		dims []string
		want float64
	}{
		{"RecordingsFailed", []string{fn}, 1},
		{"RecordingsFailed", []string{fn, "errorType=PermanentError"}, 1},
		{"DownloadResumes", []string{fn}, 2},
		{"DownloadResumes", []string{fn, "errorType=PermanentError"}, 0}, // not per errorType: cost stays flat
	}
	for _, c := range checks {
		if got := totals.Get("RecordingSync", c.name, c.dims...); got != c.want {
			t.Errorf("%s %v = %v, want %v (line %s)", c.name, c.dims, got, c.want, line)
		}
	}
	if len(totals) != 3 {
		t.Errorf("%d series, want 3: %v", len(totals), totals)
	}
}

func TestNilEmitterEmitsNothing(t *testing.T) {
	var e *metrics.Emitter
	if attrs := e.Attrs("", metrics.V(metrics.RecordingsCopied, 1)); attrs != nil {
		t.Errorf("nil emitter: %v", attrs)
	}
	if attrs := newEmitter(t).Attrs(""); attrs != nil {
		t.Errorf("no values: %v", attrs)
	}
}

func TestNewEmitterRefuses(t *testing.T) {
	for _, tt := range []struct{ ns, fn, want string }{
		{"", "f", "1 to 255"},
		{strings.Repeat("n", 256), "f", "1 to 255"},
		{"AWS/Lambda", "f", "reserved"},
		{"Recording{Sync}", "f", "not allowed"},
		{"RecordingSync", "", "function name"},
	} {
		if _, err := metrics.NewEmitter(tt.ns, tt.fn); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewEmitter(%q, %q) = %v, want an error with %q", tt.ns, tt.fn, err, tt.want)
		}
	}
	for _, ns := range []string{"RecordingSync", "Call centre/Recordings #1:a.b_c-d"} {
		if _, err := metrics.NewEmitter(ns, "f"); err != nil {
			t.Errorf("NewEmitter(%q): %v", ns, err)
		}
	}
}

// TestCatalog: names unique and valid, units CloudWatch's, every metric
// owned by one of the three functions, and each one round-trips.
func TestCatalog(t *testing.T) {
	seen := map[string]bool{}
	functions := map[string]bool{metrics.FunctionCopy: true, metrics.FunctionWebhook: true, metrics.FunctionReconcile: true}
	for _, m := range metrics.Catalog {
		if seen[m.Name] {
			t.Errorf("%s listed twice", m.Name)
		}
		seen[m.Name] = true
		if !functions[m.Function] || m.Help == "" {
			t.Errorf("%s: function %q, help %q", m.Name, m.Function, m.Help)
		}
		if got, ok := metrics.Lookup(m.Name); !ok || got != m {
			t.Errorf("Lookup(%s) = %v, %v", m.Name, got, ok)
		}
		data, err := metricstest.Parse(logLine(t, newEmitter(t), "X", metrics.V(m, 3)))
		if err != nil || len(data) == 0 || data[0].Unit != m.Unit {
			t.Errorf("%s does not round-trip: %v %v", m.Name, data, err)
		}
	}
	if len(metrics.Catalog) > 100 {
		t.Errorf("%d metrics: one line could not carry them all", len(metrics.Catalog))
	}
}
