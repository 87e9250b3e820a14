package reconcile_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/recording-sync/recording-sync/internal/logtest"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/lambdafn"
	"github.com/recording-sync/recording-sync/pkg/metrics"
	"github.com/recording-sync/recording-sync/pkg/reconcile"
	"github.com/recording-sync/recording-sync/pkg/redact"
)

func TestHandlerAnswersTheResultAndLogsEachPage(t *testing.T) {
	e := newEnv(t, yeastartest.Options{MaxPageSize: 4})
	start := time.Date(2026, 2, 2, 2, 0, 0, 0, time.UTC)
	e.add(start, time.Minute, 1, 10, func(i int) bool { return i < 3 })
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	e.opts.OnPage = reconcile.LogProgress(log)
	h := reconcile.NewHandler(e.reconciler(nil), trailing, log, nil)
	payload := `{"from":"` + start.Format(time.RFC3339) + `","to":"` + start.Add(time.Hour).Format(time.RFC3339) + `"}`
	out, err := h.Invoke(t.Context(), []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	var res map[string]any
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"window", "listed", "alreadyStored", "queued", "skippedRecentlyQueued", "pages", "complete"} {
		if _, ok := res[k]; !ok {
			t.Errorf("result %s lacks %q", out, k)
		}
	}
	if res["queued"] != 7.0 || res["pages"] != 3.0 || res["complete"] != true || res["cursor"] != nil || res["done"] != 10.0 || res["total"] != 10.0 {
		t.Errorf("result %s", out)
	}
	var pages []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if m["msg"] == "page done" {
			pages = append(pages, m)
		}
	}
	if len(pages) != 3 || pages[0]["done"] != 4.0 || pages[2]["done"] != 10.0 || pages[2]["total"] != 10.0 {
		t.Errorf("page lines %v", pages)
	}
}

// failingRunner fails every run with err.
type failingRunner struct{ err error }

func (f failingRunner) Run(context.Context, reconcile.Request) (reconcile.Result, error) {
	return reconcile.Result{}, f.err
}

// panicRunner panics with a secret in the panic value.
type panicRunner struct{}

func (panicRunner) Run(context.Context, reconcile.Request) (reconcile.Result, error) {
	panic("boom with access_token=s3cr3t-token-value")
}

// TestHandlerErrorsKeepTheirTypeAndLoseSecrets: behind the functions'
// wrapper, as the function starts it, a failure leaves with the errorType
// the copy function gives the same failure, its message redacted, and its
// log line carries requestId, error and errorType; a panic is a
// PanicError whose line counts a failed run.
func TestHandlerErrorsKeepTheirTypeAndLoseSecrets(t *testing.T) {
	red := redact.New()
	red.Add("s3cr3t-token-value")
	emitter, err := metrics.NewEmitter(metrics.DefaultNamespace, "stack-recording-reconcile")
	if err != nil {
		t.Fatal(err)
	}
	ctx := logtest.Invocation(t.Context(), "req-reconcile-1")
	for _, tc := range []struct {
		name, payload, wantType, wantMsg string
		run                              reconcile.Runner
	}{
		{"bad input", `{"from":"x","to":"y"}`, "InvalidInputError", "invalid event", failingRunner{}},
		{"incomplete", `{"from":"2026-01-01T00:00:00Z","to":"2026-01-02T00:00:00Z"}`, "IncompleteError", "reconcile stopped",
			failingRunner{&reconcile.IncompleteError{Err: errors.New("search failed with access_token=s3cr3t-token-value")}}},
		{"panic", `{"from":"2026-01-01T00:00:00Z","to":"2026-01-02T00:00:00Z"}`, "PanicError", "panic", panicRunner{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			log := slog.New(red.Handler(logtest.Handler(&logs)))
			rh := reconcile.NewHandler(tc.run, trailing, log, &reconcile.HandlerOptions{Metrics: emitter})
			h := lambdafn.Wrap(rh, log, red, &lambdafn.Options{PanicAttrs: rh.PanicAttrs})
			_, err := h.Invoke(ctx, []byte(tc.payload))
			var ie messages.InvokeResponse_Error
			if !errors.As(err, &ie) || ie.Type != tc.wantType {
				t.Fatalf("err %#v, want errorType %s", err, tc.wantType)
			}
			if strings.Contains(ie.Message, "s3cr3t") || strings.Contains(logs.String(), "s3cr3t") {
				t.Errorf("a secret leaked: %q / %s", ie.Message, logs.String())
			}
			if n := logtest.CheckLines(t, logs.Bytes(), "req-reconcile-1", tc.wantType); n != 1 {
				t.Errorf("%d failure lines, want 1: %s", n, logs.String())
			}
			if line := failureLine(t, logs.Bytes(), tc.wantMsg); line[metrics.ReconcileRunsFailed.Name] != 1.0 {
				t.Errorf("line %v, want ReconcileRunsFailed 1", line)
			}
		})
	}
}

// failureLine returns the log line whose message is msg.
func failureLine(t *testing.T, logs []byte, msg string) map[string]any {
	t.Helper()
	for _, l := range logtest.Lines(t, logs) {
		if l["msg"] == msg {
			return l
		}
	}
	t.Fatalf("no %q line in %s", msg, logs)
	return nil
}

// A state the run cannot load stops it with an IncompleteError, as Run's
// doc says, not with the store's own error: nothing done, nothing saved.
func TestRunThatCannotLoadItsStateIsIncomplete(t *testing.T) {
	e := newEnv(t, yeastartest.Options{})
	o := e.opts
	const missing = "no-such-bucket-for-state"
	state, err := reconcile.NewS3StateStore(e.s3, missing, stateKey, "client secret of the test")
	if err != nil {
		t.Fatal(err)
	}
	r := reconcile.New(e.pbx, e.s3, e.bucket, e.keys, e.queue, state, &o)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err = r.Run(t.Context(), window(t, start, start.Add(time.Hour)))
	var inc *reconcile.IncompleteError
	if !errors.As(err, &inc) || inc.Saved || lambdafn.ErrorType(err) != "IncompleteError" {
		t.Fatalf("Run = %v (%T), want an unsaved IncompleteError", err, err)
	}
	if n := e.s3.counts()["GetObject"]; n != 1 {
		t.Errorf("%d GetObject, want the one load that failed", n)
	}
	if n := e.sim.Stats().APIRequests["recording/search"]; n != 0 {
		t.Errorf("%d searches after the failed load, want none", n)
	}
}

// resultRunner answers every run with res.
type resultRunner struct{ res reconcile.Result }

func (r resultRunner) Run(context.Context, reconcile.Request) (reconcile.Result, error) {
	return r.res, nil
}

// The missing-recordings alarm's metric reads the final line's
// queuedInRun: what the run queued in every window it worked, the
// continued ones included, not only its trailing window.
func TestHandlerLogsWhatTheRunQueuedInAllWindows(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	res := reconcile.Result{Queued: 2, Complete: true, Continued: []reconcile.Result{{Queued: 3, Complete: true}, {Queued: 4, Complete: true}}}
	h := reconcile.NewHandler(resultRunner{res}, trailing, log, nil)
	event := `{"version":"0","id":"x","detail-type":"Scheduled Event","source":"aws.events","account":"123456789012","time":"2026-03-01T12:00:00Z","region":"eu-west-1","resources":[],"detail":{}}`
	if _, err := h.Invoke(t.Context(), []byte(event)); err != nil {
		t.Fatal(err)
	}
	var done map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if m["msg"] == "reconcile done" {
			done = m
		}
	}
	if done["queuedInRun"] != 9.0 || done["queued"] != 2.0 || done["scheduled"] != true {
		t.Errorf("final line %v, want queuedInRun 9 (2 + 3 + 4)", done)
	}
}
