package copyhandler

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/recording-sync/recording-sync/pkg/recording"
)

// batchCopier is a concurrency-safe fake Copier. It fails the refs in fail,
// records every call and the most calls in flight at once, and sleeps delay
// in each call so that concurrent calls overlap.
type batchCopier struct {
	delay  time.Duration
	fail   map[recording.Ref]error // by id and file; the call's details do not count
	onCall func(recording.Ref)     // runs inside Copy, before the sleep

	mu        sync.Mutex
	calls     []recording.Ref
	active    int
	maxActive int
}

func (c *batchCopier) Copy(ctx context.Context, ref recording.Ref) (recording.Result, error) {
	c.mu.Lock()
	c.calls = append(c.calls, ref)
	c.active++
	c.maxActive = max(c.maxActive, c.active)
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.active--
		c.mu.Unlock()
	}()
	if c.onCall != nil {
		c.onCall(ref)
	}
	time.Sleep(c.delay)
	res := resultFor(ref)
	if err := c.fail[recording.Ref{ID: ref.ID, File: ref.File}]; err != nil {
		return res, err
	}
	return res, nil
}

func (c *batchCopier) called() []recording.Ref {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.calls)
}

func (c *batchCopier) maxConcurrent() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.maxActive
}

// resultFor is what the fake answers for ref.
func resultFor(ref recording.Ref) recording.Result {
	file := ref.File
	if file == "" {
		file = fmt.Sprintf("20220412173331-%d.wav", ref.ID)
	}
	return recording.Result{ID: ref.ID, File: file, Bucket: "b", Key: "recordings/" + file, Bytes: 42}
}

// sqsEvent returns an SQS event with one record per body, ids m1, m2, ...
func sqsEvent(bodies ...string) string {
	recs := make([]string, len(bodies))
	for i, b := range bodies {
		quoted, _ := json.Marshal(b)
		recs[i] = fmt.Sprintf(`{"messageId":"m%d","receiptHandle":"h%d","body":%s,"eventSource":"aws:sqs"}`, i+1, i+1, quoted)
	}
	return `{"Records":[` + strings.Join(recs, ",") + `]}`
}

// idBodies returns n direct bodies {"id":1} ... {"id":n}.
func idBodies(n int) []string {
	b := make([]string, n)
	for i := range b {
		b[i] = fmt.Sprintf(`{"id":%d}`, i+1)
	}
	return b
}

func invokeBatch(t *testing.T, ctx context.Context, c Copier, opts *Options, payload string) ([]byte, []map[string]any, error) {
	t.Helper()
	var buf bytes.Buffer
	h := New(c, slog.New(slog.NewJSONHandler(&buf, nil)), opts)
	out, err := h.Invoke(ctx, []byte(payload))
	return out, logLines(t, &buf), err
}

// byMessageID indexes log lines by messageId, failing on a line without
// one or on two lines for one record.
func byMessageID(t *testing.T, lines []map[string]any) map[string]map[string]any {
	t.Helper()
	m := make(map[string]map[string]any)
	for _, l := range lines {
		id, ok := l["messageId"].(string)
		if !ok || id == "" {
			t.Errorf("log line %v has no messageId", l)
			continue
		}
		if _, dup := m[id]; dup {
			t.Errorf("two log lines for %s: %v and %v", id, m[id], l)
		}
		m[id] = l
	}
	return m
}

func sortedRefs(refs []recording.Ref) []recording.Ref {
	return slices.SortedFunc(slices.Values(refs), func(a, b recording.Ref) int {
		if a.ID != b.ID {
			return int(a.ID - b.ID)
		}
		return strings.Compare(a.File, b.File)
	})
}

func TestBatchPartialFailure(t *testing.T) { synctest.Test(t, testBatchPartialFailure) }

func testBatchPartialFailure(t *testing.T) {
	copyErr := &recording.RetryableError{Ref: recording.Ref{ID: 2}, Err: errors.New("PBX busy")}
	c := &batchCopier{delay: time.Millisecond, fail: map[recording.Ref]error{{ID: 2}: copyErr}}
	bodies := []string{`{"id":1}`, `{"id":2}`, `{"id":3}`, `{"id":`, `{"id":5}`}
	out, lines, err := invokeBatch(t, t.Context(), c, &Options{BatchConcurrency: 3}, sqsEvent(bodies...))
	if err != nil {
		t.Fatalf("Invoke = %v; a failed record must not fail the batch", err)
	}
	const want = `{"batchItemFailures":[{"itemIdentifier":"m2"},{"itemIdentifier":"m4"}]}`
	if string(out) != want {
		t.Errorf("response = %s, want %s", out, want)
	}
	wantCalls := []recording.Ref{{ID: 1}, {ID: 2}, {ID: 3}, {ID: 5}}
	if got := sortedRefs(c.called()); !slices.Equal(got, wantCalls) {
		t.Errorf("Copy calls = %+v, want %+v (not the malformed record)", got, wantCalls)
	}

	if len(lines) != len(bodies) {
		t.Errorf("%d log lines, want one per record (%d): %v", len(lines), len(bodies), lines)
	}
	logs := byMessageID(t, lines)
	for i := range bodies {
		id := fmt.Sprintf("m%d", i+1)
		line, ok := logs[id]
		if !ok {
			t.Errorf("no log line for %s", id)
			continue
		}
		want := map[string]any{"level": "INFO", "trigger": "sqs", "msg": "recording copied"}
		switch id {
		case "m2":
			want = map[string]any{"level": "ERROR", "trigger": "sqs", "msg": "recording not copied", "error": copyErr.Error(), "id": float64(2)}
		case "m4":
			want = map[string]any{"level": "ERROR", "trigger": "sqs", "msg": "invalid message"}
			if e, _ := line["error"].(string); !strings.Contains(e, "invalid JSON") {
				t.Errorf("log line for m4 error = %q, want it to name the invalid JSON", e)
			}
		default:
			if _, bad := line["error"]; bad {
				t.Errorf("log line for %s has an error: %v", id, line)
			}
		}
		checkLine(t, line, want)
	}
}

func TestBatchAllSucceed(t *testing.T) {
	c := &batchCopier{}
	bodies := []string{
		`{"id":1731}`,
		`{"file":"` + pbxName + `"}`,
		`{"detail":{"id":7}}`,
		`{"type":30012,"msg":"{\"call_id\":\"9.1\",\"recording\":\"\"}"}`, // nothing to copy: a success
	}
	out, lines, err := invokeBatch(t, t.Context(), c, nil, sqsEvent(bodies...))
	if err != nil {
		t.Fatalf("Invoke = %v", err)
	}
	const want = `{"batchItemFailures":[]}`
	if string(out) != want {
		t.Errorf("response = %s, want %s (an empty list, not null)", out, want)
	}
	wantCalls := sortedRefs([]recording.Ref{{ID: 7}, {ID: 1731}, {File: pbxName}})
	if got := sortedRefs(c.called()); !slices.Equal(got, wantCalls) {
		t.Errorf("Copy calls = %+v, want %+v", got, wantCalls)
	}
	logs := byMessageID(t, lines)
	if len(lines) != len(bodies) || len(logs) != len(bodies) {
		t.Errorf("%d log lines for %d messages, want one per record: %v", len(lines), len(logs), lines)
	}
	checkLine(t, logs["m4"], map[string]any{"level": "INFO", "msg": "nothing to copy", "reason": "call 9.1 has no recording"})
}

// The copies run in a synctest bubble: each takes exactly copyTime on its
// fake clock, which advances only once every running copy and the batch
// itself are blocked, so the copies that overlap and the batch's duration
// are exact, not a matter of timing.
func TestBatchConcurrency(t *testing.T) {
	const n, copyTime = 10, 20 * time.Millisecond
	tests := []struct {
		name  string
		opts  *Options
		limit int // copies running at once
	}{
		{"one at a time", &Options{BatchConcurrency: 1}, 1},
		{"three at a time", &Options{BatchConcurrency: 3}, 3},
		{"default", nil, DefaultBatchConcurrency},
		{"zero means default", &Options{}, DefaultBatchConcurrency},
		{"more slots than records", &Options{BatchConcurrency: 20}, n},
	}
	for _, tt := range tests {
		t.Run(tt.name, bubble(func(t *testing.T) {
			c := &batchCopier{delay: copyTime}
			start := time.Now()
			out, _, err := invokeBatch(t, t.Context(), c, tt.opts, sqsEvent(idBodies(n)...))
			took := time.Since(start)
			if err != nil {
				t.Fatalf("Invoke = %v", err)
			}
			if string(out) != `{"batchItemFailures":[]}` {
				t.Errorf("response = %s, want no failures", out)
			}
			if got := len(c.called()); got != n {
				t.Errorf("Copy called %d times, want %d", got, n)
			}
			if got := c.maxConcurrent(); got != tt.limit {
				t.Errorf("%d copies ran at once, want %d", got, tt.limit)
			}
			rounds := (n + tt.limit - 1) / tt.limit
			if want := time.Duration(rounds) * copyTime; took != want {
				t.Errorf("batch took %v, want %v: %d rounds of %d copies", took, want, rounds, tt.limit)
			}
		}))
	}
}

// bubble runs test in a synctest bubble, on a fake clock.
func bubble(test func(t *testing.T)) func(t *testing.T) {
	return func(t *testing.T) { synctest.Test(t, test) }
}

func TestBatchCancelled(t *testing.T) {
	t.Run("before processing", func(t *testing.T) {
		// Each record gets its own chance at a free slot: run several
		// rounds so that a random choice between a free slot and a
		// done context cannot pass by luck.
		for round := range 20 {
			c := &batchCopier{}
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			out, lines, err := invokeBatch(t, ctx, c, &Options{BatchConcurrency: 3}, sqsEvent(idBodies(5)...))
			if err != nil {
				t.Fatalf("Invoke = %v; a cancelled batch must still report its records", err)
			}
			const want = `{"batchItemFailures":[{"itemIdentifier":"m1"},{"itemIdentifier":"m2"},` +
				`{"itemIdentifier":"m3"},{"itemIdentifier":"m4"},{"itemIdentifier":"m5"}]}`
			if string(out) != want {
				t.Fatalf("round %d: response = %s, want %s", round, out, want)
			}
			if calls := c.called(); len(calls) != 0 {
				t.Fatalf("round %d: Copy called with %+v after the context was cancelled", round, calls)
			}
			logs := byMessageID(t, lines)
			if len(lines) != 5 || len(logs) != 5 {
				t.Fatalf("round %d: %d log lines, want one per record: %v", round, len(lines), lines)
			}
			for id, l := range logs {
				if e, _ := l["error"].(string); !strings.Contains(e, context.Canceled.Error()) || l["level"] != "ERROR" {
					t.Errorf("log line for %s = %v, want an ERROR naming %q", id, l, context.Canceled)
				}
			}
		}
	})
	t.Run("during processing", bubble(func(t *testing.T) {
		for round := range 20 {
			ctx, cancel := context.WithCancel(t.Context())
			// The first copy cancels the invocation: the records still
			// waiting for a slot must not start.
			c := &batchCopier{delay: time.Millisecond, onCall: func(recording.Ref) { cancel() }}
			out, _, err := invokeBatch(t, ctx, c, &Options{BatchConcurrency: 1}, sqsEvent(idBodies(5)...))
			cancel()
			if err != nil {
				t.Fatalf("Invoke = %v", err)
			}
			if calls := c.called(); len(calls) != 1 || calls[0] != (recording.Ref{ID: 1}) {
				t.Fatalf("round %d: Copy calls = %+v, want only id 1", round, calls)
			}
			const want = `{"batchItemFailures":[{"itemIdentifier":"m2"},{"itemIdentifier":"m3"},` +
				`{"itemIdentifier":"m4"},{"itemIdentifier":"m5"}]}`
			if string(out) != want {
				t.Fatalf("round %d: response = %s, want %s", round, out, want)
			}
		}
	}))
}
