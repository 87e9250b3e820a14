package main

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/internal/localenv"
)

// A recording whose event was lost is in the bucket after a reconcile run:
// the reconciler queues what the bucket lacks, the queue feeds the copy
// function, and a recording queued twice costs no PBX request.
func TestLostEventRecordingLandsAfterReconcile(t *testing.T) {
	st := newStack(t, stackOptions{})
	start := time.Date(2026, 4, 30, 21, 50, 0, 0, time.UTC) // 23:50 at the PBX
	recs := st.add(start, 5*time.Minute, 1, 4, 64<<10)
	// The first one arrived through its event, the others' events were lost.
	if raw, err := st.copy.Invoke(t.Context(), []byte(`{"id":1}`)); err != nil || strings.Contains(string(raw), "errorType") {
		t.Fatalf("copy by event: %s %v", raw, err)
	}
	res := st.run(t, backfill(start, start.Add(time.Hour)))
	if res.ErrorType != "" || res.Listed != 4 || res.AlreadyStored != 1 || res.Queued != 3 || !res.Complete {
		t.Fatalf("reconcile: %s", res.raw)
	}
	if n := st.sqs.Requests("SendMessageBatch"); n != 1 {
		t.Errorf("%d SendMessageBatch requests, want 1 for 3 recordings", n)
	}
	downloadsBefore := st.sim.Stats().APIRequests["recording/download"]
	fed, err := st.mapping.Drain(t.Context())
	if err != nil || fed.Received != 3 || fed.Deleted != 3 || len(fed.Failed) != 0 {
		t.Fatalf("feeding the queue to the copy function: %+v %v", fed, err)
	}
	if keys := st.keys(t); len(keys) != 4 {
		t.Fatalf("bucket holds %v, want all 4 recordings", keys)
	}
	if n := st.sim.Stats().APIRequests["recording/download"] - downloadsBefore; n != 3 {
		t.Errorf("%d download links asked for 3 recordings", n)
	}
	// The object carries the call's details from recording/search.
	key := st.keys(t)[1]
	head, err := st.s3.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: &st.bucket, Key: &key})
	if err != nil {
		t.Fatal(err)
	}
	if head.Metadata["call-from"] != "2001" || head.Metadata["call-to"] != "2002" {
		t.Errorf("metadata of %s: %v", key, head.Metadata)
	}
	// Run again at once: everything is stored, nothing is queued.
	res = st.run(t, backfill(start, start.Add(time.Hour)))
	if res.AlreadyStored != 4 || res.Queued != 0 {
		t.Errorf("second run: %s", res.raw)
	}
	// A duplicate message for a stored recording costs no PBX request.
	before := st.sim.Stats().APIRequests
	dup := `{"id":2,"file":"` + recs[1].File + `"}`
	raw, err := st.copy.Invoke(t.Context(), []byte(dup))
	if err != nil || !strings.Contains(string(raw), `"alreadyStored":true`) {
		t.Fatalf("duplicate: %s %v", raw, err)
	}
	after := st.sim.Stats().APIRequests
	for ep, n := range after {
		if n != before[ep] {
			t.Errorf("a duplicate message reached the PBX: %s %d -> %d", ep, before[ep], n)
		}
	}
}

// A scheduled run covers [time - RECONCILE_LOOKBACK, time - RECONCILE_SETTLE]
// of the event the schedule sends.
func TestScheduledEventUnderTheEmulator(t *testing.T) {
	st := newStack(t, stackOptions{noCopy: true, extraEnv: []string{"RECONCILE_LOOKBACK=2h", "RECONCILE_SETTLE=15m"}})
	raw, err := os.ReadFile("../../events/reconcile/schedule.json")
	if err != nil {
		t.Fatal(err)
	}
	fired := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) // the sample's time
	st.add(fired.Add(-3*time.Hour), 0, 1, 1, 1024)        // before the lookback
	st.add(fired.Add(-time.Hour), 0, 2, 1, 1024)          // inside
	st.add(fired.Add(-10*time.Minute), 0, 3, 1, 1024)     // younger than the settle time
	res := st.run(t, string(raw))
	if res.ErrorType != "" || res.Listed != 1 || res.Queued != 1 {
		t.Fatalf("scheduled run: %s", res.raw)
	}
	if !res.Window.From.Equal(fired.Add(-2*time.Hour)) || !res.Window.To.Equal(fired.Add(-15*time.Minute)) {
		t.Errorf("window %+v", res.Window)
	}
	// The run's last log line says what it did, for whoever reads the logs
	// (Invoke returned once the invocation's output was in).
	var done string
	for _, line := range strings.Split(st.out.String(), "\n") {
		if strings.Contains(line, `"message":"reconcile done"`) {
			done = line
		}
	}
	for _, want := range []string{`"scheduled":true`, `"queued":1,`, `"requestId":`} {
		if !strings.Contains(done, want) {
			t.Errorf("final log line %q lacks %s", done, want)
		}
	}
}

func TestBadInputAndConfigurationUnderTheEmulator(t *testing.T) {
	st := newStack(t, stackOptions{noCopy: true})
	for payload, want := range map[string]string{
		`{"from":"2026-03-02T00:00:00Z","to":"2026-03-01T00:00:00Z"}`:          "is after to",
		`{"from":"2026-03-01T00:00:00Z","to":"soon"}`:                          `"to" is not an RFC 3339 time`,
		`{"from":"2026-03-01T00:00:00Z","to":"2026-03-02T00:00:00Z","x":true}`: `unknown field "x"`,
	} {
		res := st.run(t, payload)
		if res.ErrorType != "InvalidInputError" || !strings.Contains(res.ErrorMessage, want) {
			t.Errorf("%s: %s, want an InvalidInputError naming %q", payload, res.raw, want)
		}
	}
	if n := st.sim.Stats().APIRequests["recording/search"]; n != 0 {
		t.Errorf("bad input reached the PBX %d times", n)
	}
	// A missing variable stops the function at start, naming it.
	out := &localenv.Output{}
	l := startLambda(t, reconcileBootstrap, envWithout(st.env, "RECORDINGS_QUEUE_URL"), 0, out)
	raw, err := l.Invoke(t.Context(), []byte(backfill(time.Now().Add(-time.Hour), time.Now())))
	if err == nil && !strings.Contains(string(raw), "errorType") {
		t.Errorf("without RECORDINGS_QUEUE_URL the invocation answered %s", raw)
	}
	if !strings.Contains(out.String(), "\nrecording-reconcile: configuration: RECORDINGS_QUEUE_URL is required") {
		t.Errorf("without RECORDINGS_QUEUE_URL: no line naming it in %s", out.String())
	}
	if n := st.sqs.Requests("SendMessageBatch"); n != 0 {
		t.Errorf("%d sends", n)
	}
}
