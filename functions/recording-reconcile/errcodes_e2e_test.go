package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

// logLine is the first line of out whose message is msg, or "".
func logLine(out, msg string) string {
	for line := range strings.Lines(out) {
		if strings.Contains(line, `"message":"`+msg+`"`) {
			return line
		}
	}
	return ""
}

// A PBX whose firmware lacks recording/search (10001) or the API version
// (10003) fails the run at its first search, without retrying it: the
// invocation's error and the run's "reconcile stopped" line name the
// endpoint and the firmware upgrade the PBX needs, ReconcileRunsFailed
// counts the run, and nothing is queued.
func TestFirmwareWithoutSearchFailsTheRunUnderTheEmulator(t *testing.T) {
	for _, code := range []int{yeastartest.ErrCodeInterfaceNotExisted, yeastartest.ErrCodeAPIVersionUnsupported} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			st := newStack(t, stackOptions{noCopy: true})
			start := time.Date(2026, 5, 6, 10, 0, 0, 0, time.UTC)
			st.add(start, time.Minute, 1, 3, 1024)
			st.sim.FailAPI("recording/search", code, 100)
			offset := len(st.out.String())
			res := st.run(t, backfill(start, start.Add(time.Hour)))
			want := []string{fmt.Sprintf("errcode %d", code), "firmware does not offer recording/search", "firmware upgrade"}
			if res.ErrorType != "IncompleteError" || !containsAll(res.ErrorMessage, want) {
				t.Fatalf("run: %s, want an IncompleteError naming %q", res.raw, want)
			}
			line := logLine(st.out.String()[offset:], "reconcile stopped")
			if !strings.Contains(line, `"level":"ERROR"`) || !containsAll(line, want) {
				t.Errorf("the run's line %q does not name the firmware requirement", line)
			}
			if m := st.metricsSince(t, offset); m["ReconcileRunsFailed"] != 1 || m["ReconcileRecordingsQueued"] != 0 {
				t.Errorf("metrics %v, want a failed run that queued nothing", m)
			}
			stats := st.sim.Stats()
			if stats.APIRequests["recording/search"] != 1 || stats.Faults.API != 1 {
				t.Errorf("%d searches, %d answered %d; want exactly one: no retries", stats.APIRequests["recording/search"], stats.Faults.API, code)
			}
			if msgs := st.sqs.Messages("recordings"); len(msgs) != 0 {
				t.Errorf("queued %v from a failed search", msgs)
			}
		})
	}
}

// containsAll reports whether s contains every one of subs.
func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
