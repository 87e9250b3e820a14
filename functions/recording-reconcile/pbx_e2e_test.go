package main

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/internal/localenv"
	"github.com/recording-sync/recording-sync/internal/metricstest"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/metrics"
)

// scheduled is the event the schedule sends at fired.
func scheduled(fired time.Time) string {
	return `{"version":"0","id":"e2e","detail-type":"Scheduled Event","source":"aws.events","account":"123456789012","time":"` +
		fired.UTC().Format(time.RFC3339) + `","region":"eu-west-1","resources":[],"detail":{}}`
}

// metricsSince are the reconciler's metrics in the output after offset.
func (st *stack) metricsSince(t *testing.T, offset int) map[string]float64 {
	t.Helper()
	totals, _, err := metricstest.ParseLog(st.out.String()[offset:])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for s, v := range totals {
		if s.Dimensions == metrics.DimFunction+"=recording-reconcile" {
			out[s.Name] = v
		}
	}
	return out
}

// envWith is env with name set to value.
func envWith(env []string, name, value string) []string {
	return append(envWithout(env, name), name+"="+value)
}

// envWithout is env without name.
func envWithout(env []string, name string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// addCall makes a recording of a call that started at start (file name
// and time in zone) and lasted d.
func (st *stack) addCall(id int, zone *time.Location, start time.Time, d time.Duration) yeastartest.Recording {
	r := yeastartest.Recording{ID: id, Size: 1024, Duration: int(d / time.Second), CallFrom: "2001", CallTo: "2002", CallType: "Inbound",
		File: fileIn(zone, start, id)}
	st.sim.AddRecording(r)
	return r
}

// A recording is due when its call ended more than RECONCILE_SETTLE ago,
// its start read in the PBX's zone and date format (system/information):
// each format, east and west of UTC, and at UTC. Of two calls at the
// scheduled window's end, the one that ended 15 minutes ago is queued and
// counted lost, the one that started 12 minutes ago and ended 3 minutes
// ago is neither. A later run, for which that call ended more than the
// settle time ago (here: one with a settle time of 2 minutes), queues it
// and counts it lost.
func TestLongCallIsDueWhenItEndsUnderTheEmulator(t *testing.T) {
	for _, pbx := range pbxClocks() {
		t.Run(pbx.zone.String()+" "+pbx.format, func(t *testing.T) {
			st := newStack(t, stackOptions{noCopy: true, sim: yeastartest.Options{TimeZone: pbx.zone, DateFormat: pbx.format}})
			now := time.Now().Truncate(time.Second)
			st.addCall(1, pbx.zone, now.Add(-35*time.Minute), 20*time.Minute)
			st.addCall(2, pbx.zone, now.Add(-12*time.Minute), 9*time.Minute)
			offset := len(st.out.String())
			res := st.run(t, scheduled(now))
			if res.ErrorType != "" || res.Listed != 2 || res.Queued != 1 || res.Lost != 1 || res.NotDue != 1 {
				t.Fatalf("scheduled run: %s", res.raw)
			}
			if m := st.metricsSince(t, offset); m["ReconcileRecordingsLost"] != 1 || m["ReconcileRecordingsQueued"] != 1 {
				t.Errorf("metrics %v, want 1 queued, 1 lost", m)
			}
			if strings.Contains(st.out.String()[offset:], "PBX clock unknown") {
				t.Errorf("the PBX's clock was not read:\n%s", st.out.String()[offset:])
			}
			// The message carries the call's start in the PBX's local time.
			start := now.Add(-35 * time.Minute).In(pbx.zone).Format("2006-01-02 15:04:05")
			if msgs := st.sqs.Messages("recordings"); len(msgs) != 1 || !strings.Contains(msgs[0].Body, `"id":1,`) || !strings.Contains(msgs[0].Body, start) {
				t.Errorf("queued %v, want recording 1 only, started %s", msgs, start)
			}
			later := startLambda(t, reconcileBootstrap, envWith(st.env, "RECONCILE_SETTLE", "2m"), 0, st.out)
			offset = len(st.out.String())
			raw, err := later.Invoke(t.Context(), []byte(scheduled(now)))
			if err != nil || !strings.Contains(string(raw), `"queued":1,`) || !strings.Contains(string(raw), `"lost":1,`) {
				t.Fatalf("later run: %s %v, want the long call queued and lost", raw, err)
			}
			if m := st.metricsSince(t, offset); m["ReconcileRecordingsLost"] != 1 {
				t.Errorf("later run's metrics %v, want 1 lost", m)
			}
			if msgs := st.sqs.Messages("recordings"); len(msgs) != 2 || !strings.Contains(msgs[1].Body, `"id":2,`) {
				t.Errorf("queued %v, want recording 2 after 1", msgs)
			}
		})
	}
}

// pbxClock is a PBX's zone and system_date_format.
type pbxClock struct {
	zone   *time.Location
	format string
}

// pbxClocks are every date format a PBX writes, each east and west of UTC,
// and one at UTC.
func pbxClocks() []pbxClock {
	clocks := []pbxClock{{time.UTC, "MM/DD/YYYY"}}
	for _, format := range []string{"YYYY/MM/DD", "MM/DD/YYYY", "DD/MM/YYYY"} {
		for _, zone := range []*time.Location{time.FixedZone("east", 9*3600), time.FixedZone("west", -(3*3600 + 1800))} {
			clocks = append(clocks, pbxClock{zone, format})
		}
	}
	return clocks
}

// A PBX whose firmware lacks system/information: the run reads its times
// as UTC and logs a warning saying so.
func TestPBXWithoutSystemInformationUnderTheEmulator(t *testing.T) {
	st := newStack(t, stackOptions{noCopy: true})
	st.sim.SetSystemInfo(yeastartest.SystemInfo{Absent: true})
	start := time.Date(2026, 5, 6, 10, 0, 0, 0, time.UTC)
	st.add(start, time.Minute, 1, 2, 1024)
	offset := len(st.out.String())
	if res := st.run(t, backfill(start, start.Add(time.Hour))); res.ErrorType != "" || res.Queued != 2 {
		t.Fatalf("run: %s", res.raw)
	}
	out := st.out.String()[offset:]
	if n := strings.Count(out, "PBX clock unknown"); n != 1 || !strings.Contains(out, "read as UTC") {
		t.Errorf("%d clock warnings in %s, want one", n, out)
	}
	if n := st.sim.Stats().APIRequests["system/information"]; n != 1 {
		t.Errorf("%d system/information requests, want 1", n)
	}
}

// A PBX that answers the same page forever under a total_number of 2^40
// fails the run on its second page, which alarms (ReconcileRunsFailed),
// instead of searching until the deadline; an hour later the scheduled
// run works its own, newest window first, before the unfinished one.
func TestSamePageForeverFailsTheRunUnderTheEmulator(t *testing.T) {
	st := newStack(t, stackOptions{noCopy: true, timeout: time.Minute, sim: yeastartest.Options{Pager: yeastartest.PagerSamePage}})
	now := time.Now().Truncate(time.Second)
	offset := len(st.out.String())
	res := st.run(t, scheduled(now))
	if res.ErrorType != "IncompleteError" || !strings.Contains(res.ErrorMessage, "repeats recording 1, already seen") {
		t.Fatalf("run: %s, want an IncompleteError naming the repeat", res.raw)
	}
	if n := st.sim.Stats().BrokenPages; n != 2 {
		t.Errorf("%d broken pages served, want 2", n)
	}
	if m := st.metricsSince(t, offset); m["ReconcileRunsFailed"] != 1 {
		t.Errorf("metrics %v, want a failed run", m)
	}
	next := now.Add(time.Hour)
	newest := next.Add(-26 * time.Hour).UTC().Format(time.RFC3339)
	res = st.run(t, scheduled(next))
	if res.ErrorType != "IncompleteError" || !strings.Contains(res.ErrorMessage, "window "+newest) {
		t.Errorf("next run: %s, want its own window %s first", res.raw, newest)
	}
}

// A PBX that pages wrong in the ways the test above leaves out: fresh IDs
// on every page under a total_number of 2^40, stopped by
// RECONCILE_MAX_QUEUED messages (its cursor saved), or by
// RECONCILE_MAX_PAGES before RECONCILE_MAX_QUEUED; and pages of more rows
// than asked for, refused at the first. Each run fails with an
// IncompleteError naming why, which alarms (ReconcileRunsFailed), having
// queued what the pages it accepted lacked and nothing else.
func TestPBXThatPagesWrongUnderTheEmulator(t *testing.T) {
	for _, tc := range []struct {
		name        string
		pager       yeastartest.Pager
		env         []string
		wantInError string
		pages       int // broken pages served
		queued      int
	}{
		{"fresh IDs stopped by the queued cap", yeastartest.PagerFreshIDs, []string{"RECONCILE_MAX_QUEUED=250"},
			"cap of 250 queued recordings (RECONCILE_MAX_QUEUED)", 3, 250},
		{"fresh IDs stopped by the page cap", yeastartest.PagerFreshIDs, []string{"RECONCILE_MAX_PAGES=3"},
			"cap of 3 pages (RECONCILE_MAX_PAGES)", 3, 300},
		{"more rows than asked for", yeastartest.PagerOverfull, nil, "200 rows, 100 asked for", 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := newStack(t, stackOptions{noCopy: true, timeout: time.Minute, sim: yeastartest.Options{Pager: tc.pager}, extraEnv: tc.env})
			start := time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC)
			offset := len(st.out.String())
			res := st.run(t, backfill(start, start.Add(time.Hour)))
			if res.ErrorType != "IncompleteError" || !strings.Contains(res.ErrorMessage, tc.wantInError) {
				t.Fatalf("run: %s, want an IncompleteError naming %q", res.raw, tc.wantInError)
			}
			if n := st.sim.Stats().BrokenPages; n != tc.pages {
				t.Errorf("%d broken pages served, want %d", n, tc.pages)
			}
			if n := len(st.sqs.Messages("recordings")); n != tc.queued {
				t.Errorf("%d messages queued, want %d", n, tc.queued)
			}
			if m := st.metricsSince(t, offset); m["ReconcileRunsFailed"] != 1 || m["ReconcileRecordingsQueued"] != float64(tc.queued) {
				t.Errorf("metrics %v, want a failed run that queued %d", m, tc.queued)
			}
		})
	}
}

// A state object that does not open (garbage here) is not emptied
// silently: the run goes on from an empty state, logs one warning with
// the reason and counts ReconcileStateReset; the next run, on the state
// it saved, counts none.
func TestStateThatDoesNotOpenUnderTheEmulator(t *testing.T) {
	st := newStack(t, stackOptions{noCopy: true})
	start := time.Date(2026, 5, 6, 10, 0, 0, 0, time.UTC)
	st.add(start, time.Minute, 1, 2, 1024)
	key := ".recording-sync/reconcile-state.json"
	if _, err := st.s3.PutObject(t.Context(), &s3.PutObjectInput{Bucket: &st.bucket, Key: aws.String(key), Body: bytes.NewReader([]byte("garbage, not a state"))}); err != nil {
		t.Fatal(err)
	}
	offset := len(st.out.String())
	res := st.run(t, backfill(start, start.Add(time.Hour)))
	if res.ErrorType != "" || res.Queued != 2 {
		t.Fatalf("run: %s", res.raw)
	}
	out := st.out.String()[offset:]
	if n := strings.Count(out, "reconcile state reset"); n != 1 || !strings.Contains(out, `"level":"WARN"`) || !strings.Contains(out, `"reason":"not a sealed object"`) {
		t.Errorf("%d reset lines in %s, want one warning with the reason", n, out)
	}
	if m := st.metricsSince(t, offset); m["ReconcileStateReset"] != 1 {
		t.Errorf("metrics %v, want a state reset", m)
	}
	offset = len(st.out.String())
	if res := st.run(t, backfill(start, start.Add(time.Hour))); res.ErrorType != "" || res.SkippedRecentlyQueued != 2 {
		t.Errorf("next run: %s, want both skipped as queued (the state saved)", res.raw)
	}
	if m := st.metricsSince(t, offset); m["ReconcileStateReset"] != 0 {
		t.Errorf("next run's metrics %v, want no reset", m)
	}
}

// Two runs at once, in two function instances, over two windows of many
// pages: both start before either ends, their conditional writes
// merge, and each recording is queued once; a later run of either window
// queues nothing (both windows' queued recordings are in the state).
func TestTwoRunsAtOnceUnderTheEmulator(t *testing.T) {
	st := newStack(t, stackOptions{noCopy: true, sim: yeastartest.Options{MaxPageSize: 5}})
	dayA := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	dayB := dayA.Add(48 * time.Hour)
	st.add(dayA, 10*time.Second, 1, 300, 64)
	st.add(dayB, 10*time.Second, 1000, 300, 64)
	second := startLambda(t, reconcileBootstrap, st.env, 0, st.out)
	offset := len(st.out.String())
	payloads := []string{backfill(dayA, dayA.Add(time.Hour)), backfill(dayB, dayB.Add(time.Hour))}
	var wg sync.WaitGroup
	answers := make([]string, 2)
	for i, l := range []*localenv.Lambda{st.reconcile, second} {
		wg.Go(func() {
			raw, err := l.Invoke(t.Context(), []byte(payloads[i]))
			answers[i] = fmt.Sprintf("%s %v", raw, err)
		})
	}
	wg.Wait()
	for _, a := range answers {
		if !strings.Contains(a, `"queued":300,`) || !strings.Contains(a, `"complete":true`) {
			t.Fatalf("answers %q, want each window's 300 queued", answers)
		}
	}
	out := st.out.String()[offset:]
	if firstDone, lastStart := strings.Index(out, `"message":"reconcile done"`), strings.LastIndex(out, `"message":"reconcile started"`); firstDone < lastStart {
		t.Fatalf("the runs did not overlap:\n%s", out)
	}
	if n := len(st.sqs.Messages("recordings")); n != 600 {
		t.Errorf("%d messages, want 600", n)
	}
	for _, p := range payloads {
		if res := st.run(t, p); res.ErrorType != "" || res.Queued != 0 || res.SkippedRecentlyQueued != 300 {
			t.Errorf("rerun %s: %s, want all 300 skipped as recently queued", p, res.raw)
		}
	}
}
