package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// scriptedRuns answers each invocation with the next of its answers, and
// moves the clock on by the run's duration.
type scriptedRuns struct {
	answers []string
	clock   *time.Time
	run     time.Duration
	calls   int
}

func (s *scriptedRuns) Invoke(context.Context, []byte) ([]byte, error) {
	if s.calls >= len(s.answers) {
		return nil, fmt.Errorf("invoked %d times, scripted %d", s.calls+1, len(s.answers))
	}
	*s.clock = s.clock.Add(s.run)
	s.calls++
	return []byte(s.answers[s.calls-1]), nil
}

// TestBackfillProgress: a line per run names the window, its progress,
// what was queued and the time left, measured from the first run's answer
// on (the first run continues a window begun earlier: 1000 done before).
func TestBackfillProgress(t *testing.T) {
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	fn := &scriptedRuns{clock: &clock, run: 15 * time.Minute, answers: []string{
		`{"queued":40,"done":3000,"total":11000,"complete":false}`,
		`{"queued":10,"done":5000,"total":11000,"complete":false}`,
		`{"queued":5,"done":11000,"total":11000,"complete":true}`,
	}}
	var out strings.Builder
	if err := reconcileWithClock(t.Context(), fn, &out, "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z", func() time.Time { return clock }); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"window 2025-01-01T00:00:00Z..2026-01-01T00:00:00Z: run 1, 3000 of 11000 recordings (27%), 40 queued, 15m0s elapsed, about 40m0s left\n",
		"window 2025-01-01T00:00:00Z..2026-01-01T00:00:00Z: run 2, 5000 of 11000 recordings (45%), 50 queued, 30m0s elapsed, about 45m0s left\n",
		"window 2025-01-01T00:00:00Z..2026-01-01T00:00:00Z: run 3, 11000 of 11000 recordings (100%), 55 queued, 45m0s elapsed, complete\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if fn.calls != 3 {
		t.Errorf("%d runs, want 3", fn.calls)
	}
}

// TestProgressWithoutAnEstimate: an empty window, and a first run that
// handled nothing, give no estimate rather than a wrong one.
func TestProgressWithoutAnEstimate(t *testing.T) {
	var out strings.Builder
	now := time.Unix(0, 0)
	p := newProgress(&out, "a", "b", func() time.Time { return now })
	if err := p.run(0, 500, 0, false); err != nil {
		t.Fatal(err)
	}
	if want := "window a..b: run 1, 0 of 500 recordings (0%), 0 queued, 0s elapsed, time left not known yet\n"; out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}

// TestReconcileDeployed invokes a reconciler through a Lambda API endpoint
// that answers one incomplete run, then a failed one: the window's
// progress is printed and the failure's errorType ends the backfill.
func TestReconcileDeployed(t *testing.T) {
	var paths []string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.Method+" "+r.URL.Path)
		if len(paths) == 1 {
			_, _ = fmt.Fprint(w, `{"queued":7,"done":100,"total":400,"complete":false}`)
			return
		}
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		_, _ = fmt.Fprint(w, `{"errorType":"IncompleteError","errorMessage":"search: PBX unreachable"}`)
	}))
	defer api.Close()
	client := lambda.New(lambda.Options{
		Region: "eu-west-1", BaseEndpoint: aws.String(api.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
	})
	var out strings.Builder
	err := reconcileUntilComplete(t.Context(), deployedFunction{client: client, name: "calls-recording-reconcile"}, &out, "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z")
	if err == nil || !strings.Contains(err.Error(), "IncompleteError") {
		t.Errorf("error %v, want the run's IncompleteError", err)
	}
	want := "POST /2015-03-31/functions/calls-recording-reconcile/invocations"
	if len(paths) != 2 || paths[0] != want {
		t.Errorf("requests %v, want 2 of %s", paths, want)
	}
	if !strings.Contains(out.String(), "run 1, 100 of 400 recordings (25%), 7 queued") {
		t.Errorf("no progress line for the first run in:\n%s", out.String())
	}
}
