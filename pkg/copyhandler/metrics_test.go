package copyhandler

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/metricstest"
	"github.com/recording-sync/recording-sync/pkg/metrics"
	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/redact"
)

const (
	testNamespace = "RecordingSync"
	testFunction  = "stack-recording-sync"
)

// metricsNow is the handler's clock in these tests.
var metricsNow = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)

// outcome is what scriptCopier answers for one id.
type outcome struct {
	res    recording.Result
	err    error
	panics bool
	tokens int64 // tokens the copy obtains
}

// scriptCopier answers each ref by its id, and obtains the outcome's
// tokens on the process-wide counter while copying. It is safe for
// concurrent use.
type scriptCopier struct {
	out    map[int64]outcome
	tokens *atomic.Int64
}

func (c *scriptCopier) Copy(_ context.Context, ref recording.Ref) (recording.Result, error) {
	o := c.out[ref.ID]
	c.tokens.Add(o.tokens)
	if o.panics {
		panic("boom")
	}
	return o.res, o.err
}

// metricsHandler returns a handler emitting metrics for testFunction,
// counting tokens on tokens, logging through the redacting handler as the
// function does.
func metricsHandler(t *testing.T, c Copier, tokens *atomic.Int64, opts Options) (*Handler, *bytes.Buffer) {
	t.Helper()
	e, err := metrics.NewEmitter(testNamespace, testFunction)
	if err != nil {
		t.Fatal(err)
	}
	opts.Metrics, opts.TokensObtained, opts.Now = e, tokens.Load, func() time.Time { return metricsNow }
	var buf bytes.Buffer
	log := slog.New(redact.New("S3CRETvalue0123").Handler(slog.NewJSONHandler(&buf, nil)))
	return New(c, log, &opts), &buf
}

// metricTotals parses every line of buf (each must be valid EMF or no EMF
// at all) and returns the totals as "Name" (function dimension only) or
// "Name/errorType=T", and the number of lines with metrics. It fails on a
// series of another namespace or function, and on a negative value.
func metricTotals(t *testing.T, buf *bytes.Buffer) (map[string]float64, int) {
	t.Helper()
	totals := metricstest.Totals{}
	emf := 0
	for line := range bytes.Lines(buf.Bytes()) {
		data, err := metricstest.Parse(line)
		if err != nil {
			t.Fatalf("Parse(%s): %v", line, err)
		}
		if len(data) > 0 {
			emf++
		}
		for _, d := range data {
			for _, v := range d.Values {
				if v < 0 {
					t.Errorf("%s = %v on line %s", d.Name, v, line)
				}
			}
		}
		totals.Add(data...)
	}
	flat := map[string]float64{}
	fn := metrics.DimFunction + "=" + testFunction
	for s, v := range totals {
		dims := strings.Split(s.Dimensions, ",")
		i := slices.Index(dims, fn)
		if s.Namespace != testNamespace || i < 0 {
			t.Errorf("series %+v: want namespace %s and %s", s, testNamespace, fn)
			continue
		}
		key := s.Name
		for _, d := range slices.Delete(dims, i, i+1) {
			key += "/" + d
		}
		flat[key] = v
	}
	return flat, emf
}

// failed is the series of one failure of type typ.
func failed(typ string) map[string]float64 {
	return map[string]float64{"RecordingsFailed": 1, "RecordingsFailed/errorType=" + typ: 1}
}

// plus returns the union of the maps, later ones winning.
func plus(ms ...map[string]float64) map[string]float64 {
	out := map[string]float64{}
	for _, m := range ms {
		maps.Copy(out, m)
	}
	return out
}

// TestCopyMetrics: the metrics of one invocation's line, by outcome; the
// totals are compared whole, so a metric that must be absent is checked too.
func TestCopyMetrics(t *testing.T) {
	ref := recording.Ref{ID: 1}
	stored := recording.Result{ID: 1, File: pbxName, Key: "k", Bytes: 1000, Duration: 1500 * time.Millisecond, Resumes: 2, BusyWaits: 1}
	already := recording.Result{ID: 1, File: pbxName, Key: "k", Bytes: 1000, AlreadyStored: true, Duration: 20 * time.Millisecond}
	counts := map[string]float64{"DownloadResumes": 2, "BusyWaits": 1, "TokenRenewals": 1}
	copied := plus(counts, map[string]float64{"RecordingsCopied": 1, "RecordingsAlreadyStored": 0, "BytesCopied": 1000, "CopyDuration": 1500})
	callEnded := func(d time.Duration) string {
		return fmt.Sprintf(`{"id":1,"callEnded":%q}`, metricsNow.Add(d).Format(time.RFC3339))
	}
	msg, _ := json.Marshal(`{"call_id":"1651057476.362","status":"NO ANSWER","recording":""}`)
	tests := []struct {
		name    string
		payload string
		out     outcome
		want    map[string]float64
	}{
		{"copied, call end known", callEnded(-90 * time.Second), outcome{res: stored, tokens: 1},
			plus(copied, map[string]float64{"CallEndToStored": 90})},
		{"copied, call end unknown", `{"id":1}`, outcome{res: stored, tokens: 1}, copied},
		{"copied, call end in the future", callEnded(time.Minute), outcome{res: stored, tokens: 1}, copied},
		{"already stored", callEnded(-90 * time.Second), outcome{res: already},
			map[string]float64{"RecordingsCopied": 0, "RecordingsAlreadyStored": 1, "BytesCopied": 0,
				"DownloadResumes": 0, "BusyWaits": 0, "TokenRenewals": 0}},
		{"permanent", `{"id":1}`, outcome{res: stored, tokens: 1, err: &recording.PermanentError{Ref: ref, Err: errors.New("x")}},
			plus(counts, failed("PermanentError"))},
		{"retryable", `{"id":1}`, outcome{res: stored, tokens: 1, err: &recording.RetryableError{Ref: ref, Err: errors.New("x")}},
			plus(counts, failed("RetryableError"))},
		{"not yet available", `{"id":1}`, outcome{res: stored, tokens: 1, err: &recording.NotYetAvailableError{Ref: ref, Err: errors.New("x")}},
			plus(counts, failed("NotYetAvailableError"))},
		{"timeout", `{"id":1}`, outcome{res: stored, tokens: 1, err: &recording.TimeoutError{Ref: ref, Err: context.DeadlineExceeded}},
			plus(counts, failed("TimeoutError"))},
		{"invalid input from the copier", `{"id":1}`, outcome{res: stored, tokens: 1, err: &recording.InvalidInputError{Reason: "x"}},
			plus(counts, failed("InvalidInputError"))},
		{"panic", `{"id":1}`, outcome{panics: true, tokens: 1},
			plus(failed("PanicError"), map[string]float64{"DownloadResumes": 0, "BusyWaits": 0, "TokenRenewals": 1})},
		{"invalid event", `{"id":"abc"}`, outcome{}, failed("InvalidInputError")},
		{"nothing to copy", `{"type":30012,"sn":"x","msg":` + string(msg) + `}`, outcome{}, map[string]float64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tokens atomic.Int64
			h, buf := metricsHandler(t, &scriptCopier{out: map[int64]outcome{1: tt.out}, tokens: &tokens}, &tokens, Options{})
			_, _ = h.Invoke(t.Context(), []byte(tt.payload))
			got, lines := metricTotals(t, buf)
			if !maps.Equal(got, tt.want) {
				t.Errorf("metrics = %v\nwant      %v\nlog: %s", got, tt.want, buf)
			}
			if wantLines := min(len(tt.want), 1); lines != wantLines {
				t.Errorf("%d lines with metrics, want %d", lines, wantLines)
			}
		})
	}
}

// TestBatchMetrics: a batch's lines, written concurrently, add up to what
// happened, and the token renewals to exactly the tokens obtained.
func TestBatchMetrics(t *testing.T) {
	const copies = 40
	var tokens atomic.Int64
	tokens.Store(3) // obtained before the first line: reported by one of them
	out := map[int64]outcome{}
	var bodies []string
	for id := int64(1); id <= copies; id++ {
		out[id] = outcome{res: recording.Result{ID: id, Bytes: id * 10, Duration: time.Millisecond}, tokens: id % 3}
		bodies = append(bodies, fmt.Sprintf(`{"id":%d}`, id))
	}
	out[101] = outcome{res: recording.Result{ID: 101, Bytes: 5, AlreadyStored: true}, tokens: 1}
	out[102] = outcome{err: &recording.PermanentError{Ref: recording.Ref{ID: 102}, Err: errors.New("gone")}, tokens: 2}
	bodies = append(bodies, `{"id":101}`, `{"id":102}`, `not json`, `{"id":0}`)
	h, buf := metricsHandler(t, &scriptCopier{out: out, tokens: &tokens}, &tokens, Options{BatchConcurrency: 8})
	if _, err := h.Invoke(t.Context(), []byte(sqsEvent(bodies...))); err != nil {
		t.Fatal(err)
	}
	got, lines := metricTotals(t, buf)
	var bytes, wantTokens float64 = 0, 3 + 1 + 2
	for id := int64(1); id <= copies; id++ {
		bytes += float64(id * 10)
		wantTokens += float64(id % 3)
	}
	want := map[string]float64{
		"RecordingsCopied": copies, "RecordingsAlreadyStored": 1, "BytesCopied": bytes, "CopyDuration": copies,
		"RecordingsFailed": 3, "RecordingsFailed/errorType=PermanentError": 1, "RecordingsFailed/errorType=InvalidInputError": 2,
		"DownloadResumes": 0, "BusyWaits": 0, "TokenRenewals": wantTokens,
	}
	if !maps.Equal(got, want) {
		t.Errorf("metrics = %v\nwant      %v", got, want)
	}
	if want := len(bodies); lines != want {
		t.Errorf("%d lines with metrics, want one per record: %d", lines, want)
	}
}

// TestTokenRenewalsBetweenInvocations: each line reports the tokens
// obtained since the previous line, across invocations.
func TestTokenRenewalsBetweenInvocations(t *testing.T) {
	var tokens atomic.Int64
	c := &scriptCopier{out: map[int64]outcome{1: {res: recording.Result{ID: 1}}}, tokens: &tokens}
	h, buf := metricsHandler(t, c, &tokens, Options{})
	for i, obtained := range []int64{3, 0, 2, 1} {
		tokens.Add(obtained)
		buf.Reset()
		if _, err := h.Invoke(t.Context(), []byte(`{"id":1}`)); err != nil {
			t.Fatal(err)
		}
		got, _ := metricTotals(t, buf)
		if got["TokenRenewals"] != float64(obtained) {
			t.Errorf("invocation %d: TokenRenewals = %v, want %d", i, got["TokenRenewals"], obtained)
		}
	}
}

// TestNotStartedMetrics: records a batch does not start because the
// invocation ended fail with the errorType their copy would have reported.
func TestNotStartedMetrics(t *testing.T) {
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	expired, cancel2 := context.WithDeadline(t.Context(), time.Unix(0, 0))
	defer cancel2()
	tests := []struct {
		name, typ string
		ctx       context.Context
	}{
		{"deadline", "TimeoutError", expired},
		{"cancelled", "RetryableError", cancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tokens atomic.Int64
			h, buf := metricsHandler(t, &scriptCopier{tokens: &tokens}, &tokens, Options{})
			if _, err := h.Invoke(tt.ctx, []byte(sqsEvent(idBodies(4)...))); err != nil {
				t.Fatal(err)
			}
			got, lines := metricTotals(t, buf)
			want := map[string]float64{"RecordingsFailed": 4, "RecordingsFailed/errorType=" + tt.typ: 4}
			if !maps.Equal(got, want) || lines != 4 {
				t.Errorf("%d lines, metrics = %v; want 4 lines, %v", lines, got, want)
			}
		})
	}
}

// TestNoEmitterNoMetrics: without an emitter, lines carry no _aws member.
func TestNoEmitterNoMetrics(t *testing.T) {
	c := &batchCopier{fail: map[recording.Ref]error{{ID: 2}: errors.New("x")}}
	_, lines, err := invokeBatch(t, t.Context(), c, &Options{TokensObtained: func() int64 { return 5 }}, sqsEvent(idBodies(3)...))
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3", len(lines))
	}
	for _, l := range lines {
		if _, ok := l["_aws"]; ok {
			t.Errorf("line %v carries metrics without an emitter", l)
		}
	}
}
