package main

import (
	"strings"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

// A PBX that pages wrong in the ways the tests above leave out: fresh IDs
// on every page under a total_number of 2^40, stopped by
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
