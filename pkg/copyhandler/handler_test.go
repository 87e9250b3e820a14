package copyhandler

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

const pbxName = "20220412173331-1649756009.12-2002-2005-Internal.wav"

type ctxKey struct{}

// fakeCopier returns res and err, and records what it was asked.
type fakeCopier struct {
	res   recording.Result
	err   error
	calls []recording.Ref
	ctxOK bool
}

func (c *fakeCopier) Copy(ctx context.Context, ref recording.Ref) (recording.Result, error) {
	c.calls = append(c.calls, ref)
	c.ctxOK = ctx.Value(ctxKey{}) != nil
	return c.res, c.err
}

// logLines parses the JSON log lines in buf.
func logLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q is not JSON: %v", l, err)
		}
		lines = append(lines, m)
	}
	return lines
}

func invoke(t *testing.T, c *fakeCopier, payload string) ([]byte, []map[string]any, error) {
	t.Helper()
	var buf bytes.Buffer
	h := New(c, slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), nil)
	ctx := context.WithValue(t.Context(), ctxKey{}, true)
	out, err := h.Invoke(ctx, []byte(payload))
	return out, logLines(t, &buf), err
}

// checkLine checks the fields of a log line; numbers arrive as float64.
func checkLine(t *testing.T, line map[string]any, want map[string]any) {
	t.Helper()
	for k, v := range want {
		got, ok := line[k]
		if !ok {
			t.Errorf("log line %v has no %q", line, k)
			continue
		}
		if got != v {
			t.Errorf("log %s = %v (%T), want %v (%T)", k, got, got, v, v)
		}
	}
}

func TestInvokeSuccess(t *testing.T) {
	key := "recordings/2022/04/12/" + pbxName
	tests := []struct {
		name    string
		payload string
		wantRef recording.Ref
		res     recording.Result
	}{
		{
			name: "copied by id", payload: `{"id":1727}`, wantRef: recording.Ref{ID: 1727},
			res: recording.Result{ID: 1727, File: pbxName, Bucket: "b", Key: key, Bytes: 123456, Duration: 1500 * time.Millisecond},
		},
		{
			name: "already stored, by file", payload: `{"file":"` + pbxName + `"}`, wantRef: recording.Ref{File: pbxName},
			res: recording.Result{File: pbxName, Bucket: "b", Key: key, Bytes: 99, AlreadyStored: true, Duration: 3 * time.Millisecond},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &fakeCopier{res: tt.res}
			out, lines, err := invoke(t, c, tt.payload)
			if err != nil {
				t.Fatalf("Invoke = %v", err)
			}
			if len(c.calls) != 1 || c.calls[0] != tt.wantRef {
				t.Errorf("Copy calls = %+v, want one with %+v", c.calls, tt.wantRef)
			}
			if !c.ctxOK {
				t.Error("Copy did not get the invocation's context")
			}

			var resp struct {
				Bucket        *string `json:"bucket"`
				Key           *string `json:"key"`
				Bytes         *int64  `json:"bytes"`
				AlreadyStored *bool   `json:"alreadyStored"`
				File          string  `json:"file"`
			}
			dec := json.NewDecoder(bytes.NewReader(out))
			if err := dec.Decode(&resp); err != nil {
				t.Fatalf("response %s is not JSON: %v", out, err)
			}
			if resp.Bucket == nil || resp.Key == nil || resp.Bytes == nil || resp.AlreadyStored == nil {
				t.Fatalf("response %s lacks one of bucket, key, bytes, alreadyStored", out)
			}
			if *resp.Bucket != tt.res.Bucket || *resp.Key != tt.res.Key || *resp.Bytes != tt.res.Bytes ||
				*resp.AlreadyStored != tt.res.AlreadyStored || resp.File != tt.res.File {
				t.Errorf("response %s, want %+v", out, tt.res)
			}

			if len(lines) != 1 {
				t.Fatalf("%d log lines, want exactly 1: %v", len(lines), lines)
			}
			checkLine(t, lines[0], map[string]any{
				"level":         "INFO",
				"id":            float64(tt.wantRef.ID),
				"file":          tt.res.File,
				"key":           tt.res.Key,
				"bytes":         float64(tt.res.Bytes),
				"durationMs":    float64(tt.res.Duration.Milliseconds()),
				"alreadyStored": tt.res.AlreadyStored,
			})
			if _, ok := lines[0]["error"]; ok {
				t.Errorf("success log line has an error: %v", lines[0])
			}
		})
	}
}

func TestInvokeCopyError(t *testing.T) {
	ref := recording.Ref{ID: 1727}
	tests := []struct {
		name string
		err  error
		as   func(error) bool
	}{
		{
			name: "retryable",
			err:  &recording.RetryableError{Ref: ref, Err: &yeastar.APIError{Op: "download", Code: yeastar.CodeOverloadTask}},
			as:   func(err error) bool { var e *recording.RetryableError; return errors.As(err, &e) },
		},
		{
			name: "permanent",
			err:  &recording.PermanentError{Ref: ref, Err: &yeastar.APIError{Op: "get_token", Code: yeastar.CodeFailure}},
			as:   func(err error) bool { var e *recording.PermanentError; return errors.As(err, &e) },
		},
		{
			name: "invalid input from the copier",
			err:  &recording.InvalidInputError{Reason: "key template uses {id}"},
			as:   func(err error) bool { var e *recording.InvalidInputError; return errors.As(err, &e) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &fakeCopier{
				res: recording.Result{ID: 1727, File: pbxName, Bucket: "b", Key: "k/" + pbxName, Duration: 2 * time.Second},
				err: tt.err,
			}
			out, lines, err := invoke(t, c, `{"id":1727}`)
			if !errors.Is(err, tt.err) {
				t.Errorf("Invoke error = %v (%T), want the copier's %v", err, err, tt.err)
			}
			if !tt.as(err) {
				t.Errorf("errors.As(%v) to %T failed", err, tt.err)
			}
			if out != nil {
				t.Errorf("Invoke returned %s with its error, want nil", out)
			}
			if len(c.calls) != 1 {
				t.Errorf("Copy called %d times, want 1", len(c.calls))
			}
			if len(lines) != 1 {
				t.Fatalf("%d log lines, want exactly 1: %v", len(lines), lines)
			}
			checkLine(t, lines[0], map[string]any{
				"level":      "ERROR",
				"id":         float64(1727),
				"file":       pbxName,
				"key":        c.res.Key,
				"durationMs": float64(2000),
				"error":      tt.err.Error(),
			})
		})
	}
}

func TestInvokeInvalidInput(t *testing.T) {
	tests := []struct {
		name, payload, want string
	}{
		{"empty object", `{}`, "no recording named"},
		{"bad id", `{"id":"abc"}`, "not a positive integer"},
		{"path in file", `{"file":"../x.wav"}`, `".."`},
		{"unknown field", `{"id":1,"x":2}`, "unknown field"},
		{"not JSON", `id=1727`, "invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &fakeCopier{}
			out, lines, err := invoke(t, c, tt.payload)
			var inv *recording.InvalidInputError
			if !errors.As(err, &inv) {
				t.Fatalf("Invoke = %s, %v (%T); want an *InvalidInputError", out, err, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to mention %q", err, tt.want)
			}
			if len(c.calls) != 0 {
				t.Errorf("Copy called with %+v, want no call", c.calls)
			}
			if len(lines) != 1 {
				t.Fatalf("%d log lines, want exactly 1: %v", len(lines), lines)
			}
			checkLine(t, lines[0], map[string]any{"level": "ERROR", "error": err.Error()})
		})
	}
}

func TestInvokeSingleItem(t *testing.T) {
	const wav = "20220501093015-1651397415.88-2001-5551234-Outbound.wav"
	cdr := func(rec string) string {
		msg, _ := json.Marshal(`{"call_id":"1651397415.88","recording":"` + rec + `"}`)
		return `{"type":30012,"sn":"x","msg":` + string(msg) + `}`
	}
	call := &recording.Call{ID: "1651397415.88", SN: "x"}
	tests := []struct {
		name        string
		payload     string
		wantRef     recording.Ref
		wantTrigger string
	}{
		{"direct id", `{"id":1727}`, recording.Ref{ID: 1727}, "direct"},
		{"EventBridge direct", `{"source":"yeastar.pbx","detail":{"id":1727}}`, recording.Ref{ID: 1727}, "eventbridge"},
		{"EventBridge 30012", `{"source":"yeastar.pbx","detail":` + cdr(wav) + `}`, recording.Ref{File: wav, Call: call}, "eventbridge"},
		{"30012", cdr(wav), recording.Ref{File: wav, Call: call}, "pbx-event"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" returns the Result", func(t *testing.T) {
			c := &batchCopier{}
			out, lines, err := invokeBatch(t, t.Context(), c, nil, tt.payload)
			if err != nil {
				t.Fatalf("Invoke = %v", err)
			}
			want, _ := json.Marshal(resultFor(tt.wantRef))
			if !bytes.Equal(out, want) {
				t.Errorf("response = %s, want %s", out, want)
			}
			if calls := c.called(); len(calls) != 1 || !reflect.DeepEqual(calls[0], tt.wantRef) {
				t.Errorf("Copy calls = %+v, want one with %+v", calls, tt.wantRef)
			}
			if len(lines) != 1 {
				t.Fatalf("%d log lines, want 1: %v", len(lines), lines)
			}
			checkLine(t, lines[0], map[string]any{"level": "INFO", "trigger": tt.wantTrigger, "msg": "recording copied"})
		})
		t.Run(tt.name+" fails on a copy error", func(t *testing.T) {
			copyErr := &recording.PermanentError{Ref: tt.wantRef, Err: errors.New("gone")}
			c := &batchCopier{fail: map[recording.Ref]error{{ID: tt.wantRef.ID, File: tt.wantRef.File}: copyErr}}
			out, lines, err := invokeBatch(t, t.Context(), c, nil, tt.payload)
			if !errors.Is(err, copyErr) {
				t.Errorf("Invoke error = %v, want the copier's %v", err, copyErr)
			}
			if out != nil {
				t.Errorf("Invoke returned %s with its error, want nil", out)
			}
			if len(lines) != 1 {
				t.Fatalf("%d log lines, want 1: %v", len(lines), lines)
			}
			checkLine(t, lines[0], map[string]any{"level": "ERROR", "trigger": tt.wantTrigger, "error": copyErr.Error()})
		})
	}
}

func TestInvokeNothingToCopy(t *testing.T) {
	msg, _ := json.Marshal(`{"call_id":"1651057476.362","status":"NO ANSWER","recording":""}`)
	pbx := `{"type":30012,"sn":"x","msg":` + string(msg) + `}`
	tests := []struct {
		name, payload, trigger string
	}{
		{"30012", pbx, "pbx-event"},
		{"EventBridge 30012", `{"source":"yeastar.pbx","detail":` + pbx + `}`, "eventbridge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &batchCopier{}
			out, lines, err := invokeBatch(t, t.Context(), c, nil, tt.payload)
			if err != nil {
				t.Fatalf("Invoke = %v; a call without a recording is a success", err)
			}
			const want = `{"skipped":true,"reason":"call 1651057476.362 has no recording"}`
			if string(out) != want {
				t.Errorf("response = %s, want %s", out, want)
			}
			if calls := c.called(); len(calls) != 0 {
				t.Errorf("Copy called with %+v, want no call", calls)
			}
			if len(lines) != 1 {
				t.Fatalf("%d log lines, want 1: %v", len(lines), lines)
			}
			checkLine(t, lines[0], map[string]any{"level": "INFO", "msg": "nothing to copy", "trigger": tt.trigger,
				"reason": "call 1651057476.362 has no recording"})
		})
	}
}
