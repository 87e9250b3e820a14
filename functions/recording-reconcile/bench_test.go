package main

import (
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/internal/localenv"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/recording"
)

// BenchmarkReconcile runs the built reconciler under the emulator (128 MB
// setting, default key template) over a window of 10,000 recordings of
// which 100 are missing from the bucket, and reports what it cost: PBX,
// S3 and SQS requests, and the function process's peak RSS. The issue's
// budget: PBX at most ceil(10,000 / page size) + 3, S3 at most 50, SQS at
// most 11, peak RSS under 64 MiB. Figures: docs/reconcile-performance.md.
func BenchmarkReconcile(b *testing.B) {
	const n, missingEvery, step = 10_000, 100, 9 * time.Second
	for range b.N {
		b.StopTimer()
		proxy, err := localenv.NewFaultProxy(s3Server.Endpoint)
		if err != nil {
			b.Fatal(err)
		}
		st := newStack(b, stackOptions{noCopy: true, s3Endpoint: proxy.URL, timeout: 15 * time.Minute})
		start := time.Date(2026, 5, 1, 6, 0, 0, 0, time.UTC)
		recs := st.add(start, step, 700_000, n, 1024)
		storeAllBut(b, st, recs, func(i int) bool { return i%missingEvery == 37 })
		proxy.Requests() // forget the setup's
		pbxBefore := totalRequests(st.sim.Stats())
		b.StartTimer()
		began := time.Now()
		res := st.run(b, backfill(start, start.Add(n*step)))
		wall := time.Since(began)
		b.StopTimer()
		if res.ErrorType != "" || !res.Complete || res.Queued != n/missingEvery || res.Listed != n {
			b.Fatalf("run: %s", res.raw)
		}
		pbx := totalRequests(st.sim.Stats()) - pbxBefore
		s3reqs := proxy.Requests()
		sqsReqs := st.sqs.Requests("SendMessageBatch") + st.sqs.Requests("SendMessage")
		rss, err := st.reconcile.FunctionPeakRSS()
		if err != nil {
			b.Fatal(err)
		}
		proxy.Close()
		budget := int(math.Ceil(float64(n)/yeastartest.DefaultMaxPageSize)) + 3
		b.ReportMetric(float64(pbx), "PBX-requests")
		b.ReportMetric(float64(len(s3reqs)), "S3-requests")
		b.ReportMetric(float64(sqsReqs), "SQS-requests")
		b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MiB")
		b.ReportMetric(wall.Seconds(), "run-s")
		b.Logf("PBX %d (budget %d), S3 %d %v (budget 50), SQS %d (budget 11), peak RSS %.1f MiB, run %.2fs",
			pbx, budget, len(s3reqs), summarize(s3reqs), sqsReqs, float64(rss)/(1<<20), wall.Seconds())
		if pbx > budget || len(s3reqs) > 50 || sqsReqs > 11 || rss >= 64<<20 {
			b.Errorf("over budget")
		}
	}
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
func storeAllBut(b *testing.B, st *stack, recs []yeastartest.Recording, skip func(i int) bool) {
	b.Helper()
	keys, _ := recording.ParseKeyTemplate("")
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	var mu sync.Mutex
	var failed error
	for i, r := range recs {
		if skip(i) {
			continue
		}
		key, err := keys.Key(r.File, int64(r.ID))
		if err != nil {
			b.Fatal(err)
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			_, err := st.s3.PutObject(b.Context(), &s3.PutObjectInput{Bucket: &st.bucket, Key: aws.String(key), Body: strings.NewReader("audio")})
			if err != nil {
				mu.Lock()
				failed = err
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if failed != nil {
		b.Fatal(failed)
	}
}
