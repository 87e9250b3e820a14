package main

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/localenv/localenvtest"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/recording"
)

// BenchmarkReconcile runs the built reconciler under the emulator (128 MB
// setting, default key template) over a window of 10,000 recordings of
// which 100 are missing from the bucket, and reports what it cost: PBX,
// S3 and SQS requests, and the function process's peak RSS. The issue's
// budget: PBX at most ceil(10,000 / page size) + 3, S3 at most 50, SQS at
// most 11, peak RSS under 64 MiB. With PBXS=n (n > 1) it runs one
// scheduled run over n simulated PBXs of 1,000 recordings each, 10 of each
// missing, instead (measureFleet). Figures: docs/reconcile-performance.md.
func BenchmarkReconcile(b *testing.B) {
	if n := benchPBXs(b); n > 1 {
		benchmarkFleet(b, n)
		return
	}
	for range b.N {
		b.StopTimer()
		c := measureReconcile(b, 10_000, 100, b.StartTimer, b.StopTimer)
		report(b, c, c.pbx, c.runCost)
	}
}

// benchmarkFleet is BenchmarkReconcile over n PBXs.
func benchmarkFleet(b *testing.B, n int) {
	for range b.N {
		b.StopTimer()
		c := measureFleet(b, n, 1_000, 100, b.StartTimer, b.StopTimer)
		b.ReportMetric(float64(c.pbxMax), "PBX-requests-max-per-PBX")
		report(b, c, c.pbxTotal, c.runCost)
	}
}

// report reports a run's requests, peak RSS and wall time as b's metrics,
// logs the run, and fails b when the run went over its budget.
func report(b *testing.B, run interface {
	fmt.Stringer
	overBudget() string
}, pbx int, rc runCost) {
	b.ReportMetric(float64(pbx), "PBX-requests")
	b.ReportMetric(float64(len(rc.s3)), "S3-requests")
	b.ReportMetric(float64(rc.sqs), "SQS-requests")
	b.ReportMetric(float64(rc.rss)/(1<<20), "peak-RSS-MiB")
	b.ReportMetric(rc.wall.Seconds(), "run-s")
	b.Log(run)
	if over := run.overBudget(); over != "" {
		b.Errorf("over budget: %s", over)
	}
}

// TestReconcileWithinBudget is the benchmark's check at a size that takes
// seconds: 1,000 recordings, 10 missing, within the same budget.
func TestReconcileWithinBudget(t *testing.T) {
	c := measureReconcile(t, 1_000, 100, func() {}, func() {})
	t.Log(c)
	if over := c.overBudget(); over != "" {
		t.Errorf("over budget: %s", over)
	}
}

// runCost is what a reconcile run cost beside the PBX requests, whatever
// its PBXs.
type runCost struct {
	s3   []string // requests
	sqs  int      // requests
	rss  int64    // the function process's peak RSS
	wall time.Duration
}

// reconcileCost is what one reconcile run cost.
type reconcileCost struct {
	n, missing int // recordings in the window, missing from the bucket
	pbx        int // requests
	runCost
}

// measureRun runs the reconciler of a stack that counts S3 requests with
// payload, start and stop bracketing the run alone, and returns its answer
// and what it cost.
func (st *stack) measureRun(tb testing.TB, payload string, start, stop func()) (result, runCost) {
	tb.Helper()
	st.s3Proxy.Requests() // forget the setup's
	start()
	began := time.Now()
	res := st.run(tb, payload)
	c := runCost{wall: time.Since(began)}
	stop()
	c.s3 = st.s3Proxy.Requests()
	c.sqs = st.sqs.Requests("SendMessageBatch") + st.sqs.Requests("SendMessage")
	var err error
	if c.rss, err = st.reconcile.FunctionPeakRSS(); err != nil {
		tb.Fatal(err)
	}
	return res, c
}

// measureReconcile runs the reconciler over n recordings, one in every
// missingEvery missing from the bucket, and checks that it queued exactly
// the missing ones. start and stop bracket the run alone (a benchmark's
// timer).
func measureReconcile(tb testing.TB, n, missingEvery int, start, stop func()) reconcileCost {
	tb.Helper()
	const step = 9 * time.Second
	st := newStack(tb, stackOptions{noCopy: true, countS3: true, timeout: 15 * time.Minute})
	from := time.Date(2026, 5, 1, 6, 0, 0, 0, time.UTC)
	recs := st.add(from, step, 700_000, n, 1024)
	storeAllBut(tb, st, recs, func(i int) bool { return i%missingEvery == 37 })
	pbxBefore := totalRequests(st.sim.Stats())
	res, rc := st.measureRun(tb, backfill(from, from.Add(time.Duration(n)*step)), start, stop)
	c := reconcileCost{n: n, missing: n / missingEvery, runCost: rc}
	if res.ErrorType != "" || !res.Complete || res.Queued != c.missing || res.Listed != n {
		tb.Fatalf("run: %s", res.raw)
	}
	c.pbx = totalRequests(st.sim.Stats()) - pbxBefore
	return c
}

// budget is the most PBX and SQS requests the run may make: one search
// page per page size, and one batch per 10 messages, with a little slack.
func (c reconcileCost) budget() (pbx, sqs int) {
	pbx = int(math.Ceil(float64(c.n)/yeastartest.DefaultMaxPageSize)) + 3
	return pbx, (c.missing+9)/10 + 1
}

// overBudget says what went over the budget, or "" for nothing.
func (c reconcileCost) overBudget() string {
	pbx, sqs := c.budget()
	var over []string
	if c.pbx > pbx {
		over = append(over, fmt.Sprintf("PBX %d > %d", c.pbx, pbx))
	}
	if len(c.s3) > 50 {
		over = append(over, fmt.Sprintf("S3 %d > 50", len(c.s3)))
	}
	if c.sqs > sqs {
		over = append(over, fmt.Sprintf("SQS %d > %d", c.sqs, sqs))
	}
	if c.rss >= 64<<20 {
		over = append(over, fmt.Sprintf("peak RSS %d MiB >= 64", c.rss>>20))
	}
	return strings.Join(over, ", ")
}

// String is the cost as the benchmark logs it.
func (c reconcileCost) String() string {
	pbx, sqs := c.budget()
	return fmt.Sprintf("%d recordings, %d missing: PBX %d (budget %d), S3 %d %v (budget 50), SQS %d (budget %d), peak RSS %.1f MiB, run %.2fs",
		c.n, c.missing, c.pbx, pbx, len(c.s3), summarize(c.s3), c.sqs, sqs, float64(c.rss)/(1<<20), c.wall.Seconds())
}

// totalRequests counts every PBX API request.
func totalRequests(s yeastartest.Stats) int {
	n := 0
	for _, v := range s.APIRequests {
		n += v
	}
	return n
}

// summarize counts requests by method and kind.
func summarize(reqs []string) map[string]int {
	out := map[string]int{}
	for _, r := range reqs {
		method, path, _ := strings.Cut(r, " ")
		switch {
		case method == "GET" && strings.Count(strings.Trim(path, "/"), "/") == 0:
			out["list"]++
		default:
			out[method]++
		}
	}
	return out
}

// storeAllBut puts small objects at the keys of recs but those skip picks.
func storeAllBut(tb testing.TB, st *stack, recs []yeastartest.Recording, skip func(i int) bool) {
	tb.Helper()
	storeAllButOf(tb, st, "", func(int) string { return recording.DefaultPBX }, recs, skip)
}

// storeAllButOf is storeAllBut under the key template tmpl, recs[i] being
// a recording of PBX pbxOf(i).
func storeAllButOf(tb testing.TB, st *stack, tmpl string, pbxOf func(i int) string, recs []yeastartest.Recording, skip func(i int) bool) {
	tb.Helper()
	keys, err := recording.ParseKeyTemplate(tmpl)
	if err != nil {
		tb.Fatal(err)
	}
	var put []string
	for i, r := range recs {
		if skip(i) {
			continue
		}
		key, err := keys.KeyFor(pbxOf(i), r.File, int64(r.ID))
		if err != nil {
			tb.Fatal(err)
		}
		put = append(put, key)
	}
	localenvtest.PutObjects(tb, st.s3, st.bucket, put)
}
