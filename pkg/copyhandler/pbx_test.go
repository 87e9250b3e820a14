package copyhandler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/copier"
	"github.com/recording-sync/recording-sync/pkg/recording"
)

// pbxCopier serves the PBXs it lists, as a copier with a registry does,
// and answers copier.NotConfigured for any other.
type pbxCopier struct {
	serves map[string]bool

	mu    sync.Mutex // a batch's records are copied concurrently
	calls []recording.Ref
}

func (c *pbxCopier) Copy(_ context.Context, ref recording.Ref) (recording.Result, error) {
	c.mu.Lock()
	c.calls = append(c.calls, ref)
	c.mu.Unlock()
	if id := recording.PBXOf(ref); !c.serves[id] {
		return recording.Result{ID: ref.ID}, copier.NotConfigured(id)
	}
	return recording.Result{ID: ref.ID, Key: "k"}, nil
}

// TestEachPBXGoesToTheCopier: the handler hands every reference to the
// copier with its PBX, so a copier serving hq copies hq's; a PBX the
// copier does not serve fails as invalid input ("PBX nowhere is not
// configured"), in a batch as that record's failure only.
func TestEachPBXGoesToTheCopier(t *testing.T) {
	c := &pbxCopier{serves: map[string]bool{recording.DefaultPBX: true, "hq": true}}
	var buf bytes.Buffer
	h := New(c, slog.New(slog.NewJSONHandler(&buf, nil)), nil)
	if _, err := h.Invoke(t.Context(), []byte(`{"pbx":"hq","id":1727}`)); err != nil {
		t.Errorf("direct for hq: %v", err)
	}
	_, err := h.Invoke(t.Context(), []byte(`{"pbx":"nowhere","id":1727}`))
	var inv *recording.InvalidInputError
	if !errors.As(err, &inv) || inv.Reason != "PBX nowhere is not configured" {
		t.Errorf("direct for nowhere: %v, want InvalidInputError \"PBX nowhere is not configured\"", err)
	}

	out, err := h.Invoke(t.Context(), []byte(`{"Records":[{"messageId":"m1","eventSource":"aws:sqs","body":"{\"pbx\":\"nowhere\",\"id\":1}"},`+
		`{"messageId":"m2","eventSource":"aws:sqs","body":"{\"pbx\":\"default\",\"id\":2}"},`+
		`{"messageId":"m3","eventSource":"aws:sqs","body":"{\"pbx\":\"hq\",\"id\":3}"}]}`))
	if err != nil || !strings.Contains(string(out), `"itemIdentifier":"m1"`) || strings.Contains(string(out), `"m2"`) || strings.Contains(string(out), `"m3"`) {
		t.Errorf("batch answer %s, %v; want m1 failed, m2 and m3 copied", out, err)
	}
	var got []string
	for _, ref := range c.calls {
		got = append(got, fmt.Sprintf("%q/%d", ref.PBX, ref.ID))
	}
	slices.Sort(got) // a batch's records are copied concurrently
	if want := []string{`""/2`, `"hq"/1727`, `"hq"/3`, `"nowhere"/1`, `"nowhere"/1727`}; !slices.Equal(got, want) {
		t.Errorf("the copier was given %v (pbx/id), want %v", got, want)
	}
	if n := strings.Count(buf.String(), `"errorType":"InvalidInputError"`); n != 2 {
		t.Errorf("%d InvalidInputError lines, want 2 (the direct and the batch record for nowhere):\n%s", n, buf.String())
	}
}

// TestFailuresByPBX: a failure is counted by pbx too, under the PBX its
// line names: the one its message names, and with many PBXs "default" for
// one that names none; a single PBX's failure keeps the series it always
// had, and a copy is never counted by pbx.
func TestFailuresByPBX(t *testing.T) {
	c := &pbxCopier{serves: map[string]bool{recording.DefaultPBX: true, "hq": true}}
	tests := []struct {
		name     string
		manyPBXs bool
		payload  string
		want     map[string]float64
	}{
		{"one PBX, names none", false, `{"id":1}`, map[string]float64{"RecordingsCopied": 1}},
		{"one PBX, names one not served", false, `{"pbx":"nowhere","id":1}`,
			plus(failed("InvalidInputError"), map[string]float64{"RecordingsFailed/pbx=nowhere": 1})},
		{"many, copied for hq", true, `{"pbx":"hq","id":1}`, map[string]float64{"RecordingsCopied": 1}},
		{"many, names one not served", true, `{"pbx":"nowhere","id":1}`,
			plus(failed("InvalidInputError"), map[string]float64{"RecordingsFailed/pbx=nowhere": 1})},
		{"many, invalid event", true, `{"id":"x"}`, failed("InvalidInputError")}, // it names no PBX
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tokens atomic.Int64
			h, buf := metricsHandler(t, c, &tokens, Options{ManyPBXs: tt.manyPBXs})
			_, _ = h.Invoke(t.Context(), []byte(tt.payload))
			got, _ := metricTotals(t, buf)
			for k := range got {
				if !strings.HasPrefix(k, "RecordingsFailed") && k != "RecordingsCopied" {
					delete(got, k) // the other metrics are TestCopyMetrics'
				}
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("metrics = %v\nwant      %v\nlog: %s", got, tt.want, buf)
			}
		})
	}
}

// TestDefaultFailureByPBX: with many PBXs, a failure of the PBX "default"
// (its message names none) is counted under pbx=default, as the reconciler
// counts it, on a line whose pbx member says so; a record a batch did not
// start is counted under its PBX too.
func TestDefaultFailureByPBX(t *testing.T) {
	var tokens atomic.Int64
	fail := &scriptCopier{out: map[int64]outcome{1: {err: &recording.PermanentError{Ref: recording.Ref{ID: 1}, Err: errors.New("x")}}}, tokens: &tokens}
	h, buf := metricsHandler(t, fail, &tokens, Options{ManyPBXs: true})
	_, _ = h.Invoke(t.Context(), []byte(`{"id":1}`))
	got, _ := metricTotals(t, buf)
	if got["RecordingsFailed/pbx=default"] != 1 || got["RecordingsFailed/errorType=PermanentError"] != 1 || !strings.Contains(buf.String(), `"pbx":"default"`) {
		t.Errorf("metrics = %v, want RecordingsFailed by pbx=default and errorType=PermanentError\nlog: %s", got, buf)
	}

	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	h, buf = metricsHandler(t, fail, &tokens, Options{ManyPBXs: true})
	if _, err := h.Invoke(cancelled, []byte(sqsEvent(`{"pbx":"hq","id":1}`, `{"id":2}`))); err != nil {
		t.Fatal(err)
	}
	got, _ = metricTotals(t, buf)
	want := plus(map[string]float64{"RecordingsFailed": 2, "RecordingsFailed/errorType=RetryableError": 2},
		map[string]float64{"RecordingsFailed/pbx=hq": 1, "RecordingsFailed/pbx=default": 1})
	if !maps.Equal(got, want) {
		t.Errorf("records not started: metrics = %v\nwant %v\nlog: %s", got, want, buf)
	}
}
