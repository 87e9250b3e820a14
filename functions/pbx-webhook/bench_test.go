package main

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/recording-sync/recording-sync/internal/localenv"
	"github.com/recording-sync/recording-sync/internal/sqstest"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/trigger"
)

// The load the issue asks for: 1,000 signed posts, 50 at a time, through
// as many instances of the built function as the template reserves
// (WebhookConcurrency, default 10). Each emulator serves one invocation at
// a time, as one Lambda instance does. WEBHOOK_LOAD_POSTS,
// WEBHOOK_LOAD_CLIENTS and WEBHOOK_LOAD_INSTANCES change them.
const (
	loadPosts     = 1000
	loadClients   = 50
	loadInstances = 10
)

func envInt(b *testing.B, name string, def int) int {
	b.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		b.Fatalf("%s=%q is not a positive integer", name, v)
	}
	return n
}

// BenchmarkWebhookLoad posts signed call-end events for distinct
// recordings and checks that every one was answered 200 and queued exactly
// once; it reports the rate and the answer times (p50, p99): "answer" from
// the post to its answer, including any wait for a free instance;
// "service" the invocation alone.
func BenchmarkWebhookLoad(b *testing.B) {
	posts := envInt(b, "WEBHOOK_LOAD_POSTS", loadPosts)
	clients := envInt(b, "WEBHOOK_LOAD_CLIENTS", loadClients)
	instances := envInt(b, "WEBHOOK_LOAD_INSTANCES", loadInstances)
	rig := newLoadRig(b, instances)
	for iter := 0; b.Loop(); iter++ {
		answer, service, elapsed := rig.run(b, iter, posts, clients)
		rate := float64(posts) / elapsed.Seconds()
		b.ReportMetric(rate, "posts/s")
		b.ReportMetric(ms(percentile(answer, 50)), "p50-answer-ms")
		b.ReportMetric(ms(percentile(answer, 99)), "p99-answer-ms")
		b.ReportMetric(ms(percentile(service, 99)), "p99-service-ms")
		b.Logf("%d posts, %d at a time, %d instances: %.0f posts/s; answer p50 %.1f ms, p99 %.1f ms, max %.1f ms; service p99 %.1f ms; all %d queued exactly once",
			posts, clients, instances, rate, ms(percentile(answer, 50)), ms(percentile(answer, 99)), ms(percentile(answer, 100)),
			ms(percentile(service, 99)), posts)
	}
}

// TestWebhookLoadQueuesEachPostOnce is the benchmark's check at a size
// that takes seconds: 100 posts, 10 at a time, through 2 instances, each
// answered 200 and queued exactly once.
func TestWebhookLoadQueuesEachPostOnce(t *testing.T) {
	newLoadRig(t, 2).run(t, 0, 100, 10)
}

// loadRig is the queue and the pool of webhook instances a load runs
// against.
type loadRig struct {
	q    *sqstest.Server
	pool chan *localenv.Lambda
}

// newLoadRig starts the queue and instances emulators of the webhook.
func newLoadRig(tb testing.TB, instances int) *loadRig {
	tb.Helper()
	q := sqstest.New(sqstest.Options{})
	tb.Cleanup(q.Close)
	queueURL := q.CreateQueue(loadQueue)
	env := append(q.Env(), "AWS_LAMBDA_FUNCTION_NAME=pbx-webhook", "RECORDINGS_QUEUE_URL="+queueURL, "PBX_WEBHOOK_SECRET="+testSecret)
	pool := make(chan *localenv.Lambda, instances)
	for range instances {
		pool <- startLambda(tb, webhookBootstrap, env, &localenv.Output{})
	}
	return &loadRig{q: q, pool: pool}
}

// run posts one signed call-end event for each of posts distinct
// recordings (iteration iter's), clients at a time, and fails tb unless
// each was answered 200 and queued exactly once.
func (r *loadRig) run(tb testing.TB, iter, posts, clients int) (answer, service []time.Duration, elapsed time.Duration) {
	tb.Helper()
	payloads := make([][]byte, posts)
	for i := range payloads {
		cdr := yeastartest.CDRFor(loadFile(iter, i))
		cdr.TimeStart = callStart // a call that just ended: queued
		body, err := yeastartest.NewCDREvent("3631A2124XXX", cdr)
		if err != nil {
			tb.Fatal(err)
		}
		payloads[i] = functionURLEvent("POST", body, yeastartest.WebhookSignature(body, testSecret))
	}
	answer, service, elapsed = runLoad(tb, payloads, clients, r.pool)
	checkQueuedOnce(tb, r.q, iter, posts)
	return answer, service, elapsed
}

const loadQueue = "recording-sync-RecordingQueue"

// loadFile is the recording post i of iteration iter names.
func loadFile(iter, i int) string {
	return fmt.Sprintf("20220503101500-1651572900.%d%04d-5566-5556-Internal.wav", iter, i)
}

// runLoad posts every payload, clients at a time, each through a free
// instance of pool, and fails tb unless every answer is 200.
func runLoad(tb testing.TB, payloads [][]byte, clients int, pool chan *localenv.Lambda) (answer, service []time.Duration, elapsed time.Duration) {
	tb.Helper()
	work := make(chan int)
	answer = make([]time.Duration, len(payloads))
	service = make([]time.Duration, len(payloads))
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for i := range work {
				t0 := time.Now()
				l := <-pool
				t1 := time.Now()
				raw, err := l.Invoke(tb.Context(), payloads[i])
				pool <- l
				done := time.Now()
				answer[i], service[i] = done.Sub(t0), done.Sub(t1)
				var resp events.LambdaFunctionURLResponse
				if err == nil {
					err = json.Unmarshal(raw, &resp)
				}
				if err != nil || resp.StatusCode != 200 {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("post %d: %v %s", i, err, raw))
					mu.Unlock()
				}
			}
		})
	}
	for i := range payloads {
		work <- i
	}
	close(work)
	wg.Wait()
	elapsed = time.Since(start)
	if len(failures) > 0 {
		tb.Fatalf("%d of %d posts not answered 200, e.g. %s", len(failures), len(payloads), failures[0])
	}
	return answer, service, elapsed
}

// checkQueuedOnce fails tb unless the queue holds every recording of
// iteration iter exactly once.
func checkQueuedOnce(tb testing.TB, q *sqstest.Server, iter, posts int) {
	tb.Helper()
	count := map[string]int{}
	for _, m := range q.Messages(loadQueue) {
		inv, err := trigger.Decode([]byte(m.Body))
		if err != nil || inv.Item.Ref == nil {
			tb.Fatalf("message %s: %v", m.Body, err)
		}
		count[inv.Item.Ref.File]++
	}
	for i := range posts {
		if n := count[loadFile(iter, i)]; n != 1 {
			tb.Fatalf("post %d is queued %d times, want once", i, n)
		}
	}
}

func percentile(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s)*p+99)/100 - 1
	return s[max(0, min(i, len(s)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
