package main

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/localenv/localenvtest"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

// benchPBXs is how many PBXs BenchmarkReconcile simulates: PBXS in the
// environment (make bench-reconcile PBXS=100), 1 by default.
func benchPBXs(tb testing.TB) int {
	v := os.Getenv("PBXS")
	if v == "" {
		return 1
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1000 {
		tb.Fatalf("PBXS=%q: want a number of PBXs from 1 to 1000", v)
	}
	return n
}

// fleetCost is what one scheduled run over a fleet cost.
type fleetCost struct {
	pbxs, perPBX, missing int // PBXs, recordings of each, missing of each
	pbxMax, pbxTotal      int // PBX requests: the most of one PBX, all
	runCost
}

// pbxBudget is the most requests one PBX may see: one search page per
// page size, with a little slack (the token, the clock).
func (c fleetCost) pbxBudget() int {
	return int(math.Ceil(float64(c.perPBX)/yeastartest.DefaultMaxPageSize)) + 3
}

// overBudget says what went over the budget, or "" for nothing: PBX
// requests per PBX, peak RSS, and the run within the function's 15
// minutes.
func (c fleetCost) overBudget() string {
	var over string
	if c.pbxMax > c.pbxBudget() {
		over += fmt.Sprintf("PBX %d on one PBX > %d; ", c.pbxMax, c.pbxBudget())
	}
	if c.rss >= 64<<20 {
		over += fmt.Sprintf("peak RSS %d MiB >= 64; ", c.rss>>20)
	}
	if c.wall >= 15*time.Minute {
		over += fmt.Sprintf("run %v >= 15m; ", c.wall)
	}
	return over
}

// String is the cost as the benchmark logs it.
func (c fleetCost) String() string {
	return fmt.Sprintf("%d PBXs x %d recordings, %d missing each: PBX requests at most %d per PBX (budget %d), %d in all; S3 %d %v; SQS %d; peak RSS %.1f MiB; run %.2fs",
		c.pbxs, c.perPBX, c.missing, c.pbxMax, c.pbxBudget(), c.pbxTotal, len(c.s3), summarize(c.s3), c.sqs, float64(c.rss)/(1<<20), c.wall.Seconds())
}

// measureFleet runs one scheduled run of the built reconciler over n
// simulated PBXs of the registry file (beside the environment's own, which
// holds nothing), each with perPBX recordings over the day before, one in
// every missingEvery missing from the bucket, under keys that name the PBX
// (fleetKeys), and checks that it covered
// every PBX and queued exactly the missing recordings.
func measureFleet(tb testing.TB, n, perPBX, missingEvery int, start, stop func()) fleetCost {
	tb.Helper()
	fired := time.Date(2026, 5, 2, 7, 0, 0, 0, time.UTC)
	step := 24 * time.Hour / time.Duration(perPBX)
	specs := make([]yeastartest.PBXSpec, n)
	var all []yeastartest.Recording
	for i, id := range yeastartest.FleetIDs(n) {
		recs := make([]yeastartest.Recording, perPBX)
		for j := range recs {
			rid := (i+1)*100_000 + j
			at := fired.Add(-25*time.Hour + time.Duration(j)*step)
			recs[j] = yeastartest.Recording{ID: rid, File: fileAt(at, rid), Size: 1024, CallFrom: "2001", CallTo: "2002", CallType: "Inbound"}
		}
		all = append(all, recs...)
		specs[i] = yeastartest.PBXSpec{ID: id, Options: yeastartest.Options{TimeZone: pbxZone}, Recordings: recs}
	}
	fleet, path := localenvtest.StartFleet(tb, specs)
	env := []string{"PBX_REGISTRY_FILE=" + path, "RECORDINGS_KEY_TEMPLATE=" + fleetKeys}
	if v := os.Getenv("RECONCILE_PBX_CONCURRENCY"); v != "" {
		env = append(env, "RECONCILE_PBX_CONCURRENCY="+v) // to compare settings
	}
	st := newStack(tb, stackOptions{noCopy: true, countS3: true, timeout: 15 * time.Minute, extraEnv: env})
	ids := yeastartest.FleetIDs(n)
	storeAllButOf(tb, st, fleetKeys, func(i int) string { return ids[i/perPBX] }, all, func(i int) bool { return i%perPBX%missingEvery == 37%missingEvery })
	res, rc := st.measureRun(tb, scheduled(fired), start, stop)
	c := fleetCost{pbxs: n, perPBX: perPBX, missing: perPBX / missingEvery, runCost: rc}
	if res.ErrorType != "" || !res.Complete || res.Queued != n*c.missing || res.Listed != n*perPBX {
		tb.Fatalf("run: %.2000s", res.raw)
	}
	for _, p := range fleet.PBXs() {
		got := totalRequests(p.Sim.Stats())
		c.pbxMax, c.pbxTotal = max(c.pbxMax, got), c.pbxTotal+got
	}
	c.pbxTotal += totalRequests(st.sim.Stats())
	return c
}

// TestFleetReconcileWithinBudget is the fleet benchmark's check at a size
// that takes seconds: 5 PBXs of 200 recordings, 2 missing of each.
func TestFleetReconcileWithinBudget(t *testing.T) {
	c := measureFleet(t, 5, 200, 100, func() {}, func() {})
	t.Log(c)
	if over := c.overBudget(); over != "" {
		t.Errorf("over budget: %s", over)
	}
}
