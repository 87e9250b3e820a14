package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/recording-sync/recording-sync/internal/wait"
)

// setting is one run's load and the template's knobs it runs with.
type setting struct {
	mix
	Seed              uint64
	BatchSize         int
	Window            time.Duration // MaximumBatchingWindowInSeconds
	MaxConcurrency    int           // ScalingConfig.MaximumConcurrency: copy instances
	Memory            int           // MemorySize, MB
	BatchConcurrency  int           // BATCH_CONCURRENCY
	VisibilityTimeout int           // the queue's, seconds
	PBXRate           int64         // bytes per second each download is served at
	Webhooks          int           // webhook instances
	DefaultUploader   bool          // the SDK's default uploader sizing in the copy
	Limit             bool          // Lambda's CPU share and memory limit for Memory (cgroups)
	Env               []string      // the copy function's extra settings (-fn-env)
	Drain             time.Duration // how long to wait after the last call for its recording
	KeepOutput        string        // where to write the copy instances' output (with goroutine dumps when a recording is lost)
}

// label names the setting in the report.
func (s setting) label() string {
	l := fmt.Sprintf("%g/s, batch %d, window %gs, concurrency %d, %d MB, batch concurrency %d",
		s.Rate, s.BatchSize, s.Window.Seconds(), s.MaxConcurrency, s.Memory, s.BatchConcurrency)
	if s.DefaultUploader {
		l += ", SDK default uploader"
	}
	if s.Limit {
		l += ", Lambda's CPU and memory limits"
	}
	if len(s.Env) > 0 {
		l += ", " + strings.Join(s.Env, " ")
	}
	return l
}

// figures are what a run measured.
type figures struct {
	Setting     setting
	Calls       int
	Posted      int       // posts answered 200
	Stored      int       // recordings in the bucket with their full size
	Lost        int       // recordings not in the bucket when the run ended
	StoredTwice int       // recordings the function reported copying more than once
	OpenUploads int       // multipart uploads left open
	Latency     []float64 // CallEndToStored of every recording, seconds
	Invocations int
	GBSeconds   float64
	// BilledSeconds are the copy's billed seconds, whatever the memory.
	BilledSeconds float64
	PBXRequests   int
	S3Requests    int
	S3Kinds       map[string]int // S3 requests by operation
	S3Conns       int64          // connections to S3 (over HTTPS, TLS handshakes)
	S3Minimum     int
	SQSRequests   int
	PeakConc      int
	PeakRSS       int64              // bytes, the largest of the copy instances
	CPU           time.Duration      // CPU time of the copy instances' function processes, summed
	OOMKills      int                // copy instances the memory limit ended (with Setting.Limit)
	Throttled     time.Duration      // how long the CPU share held the copy instances back, summed
	Resets, Busy  int                // faults that fired
	PBXKinds      pbxKinds           // what the PBX requests were
	Waits         map[string]float64 // BusyWaits, RecordingsHandedBack and DownloadResumes the copies reported
	Failures      map[string]int     // failed copies (retried by the queue) by failureClass
	Drained       time.Duration      // from the last call's end to its recording stored
	Load          string             // the machine's load averages at the end
	Notes         []string           // what went wrong on the way
}

// run plays s's calls through a fresh rig and measures the path.
func run(ctx context.Context, s setting, bootstraps map[string]string) (*figures, error) {
	r, err := startRig(ctx, s, bootstraps)
	if err != nil {
		return nil, err
	}
	defer r.close()
	calls := plan(s.Seed, s.mix)
	stamp := time.Now().Unix()
	files := make([]string, len(calls))
	for i, c := range calls {
		files[i] = fileName(stamp, i, c)
	}
	m, err := r.startMapping(ctx, s)
	if err != nil {
		return nil, err
	}
	posted := r.endCalls(ctx, calls, files)
	ended := time.Now()
	want := map[string]int64{}
	for i, c := range calls {
		want[files[i]] = c.Size
	}
	stored, err := r.waitStored(ctx, want, len(calls)-int(posted.failed.Load()), s.Drain)
	drained := time.Since(ended)
	running := m.gauge.now.Load() // copy invocations that have not ended
	m.stop()
	if err != nil {
		return nil, err
	}
	f := &figures{Setting: s, Calls: len(calls), Posted: len(calls) - int(posted.failed.Load()), Stored: stored,
		Lost: len(calls) - stored, Waits: map[string]float64{}, Failures: map[string]int{}, Drained: drained, PeakConc: int(m.gauge.peak.Load()), Load: loadAverage()}
	if e, ok := posted.lastError.Load().(string); ok {
		f.Notes = append(f.Notes, fmt.Sprintf("%d posts failed, e.g. %s", posted.failed.Load(), e))
	}
	if n, failed := m.errs.Load(), m.failedCalls.Load(); n > 0 || failed > 0 {
		last, _ := m.lastErr.Load().(string)
		f.Notes = append(f.Notes, fmt.Sprintf("%d polls of the queue failed, %d invocations failed as a whole (their messages stay in flight), the last: %s", n, failed, last))
	}
	if running > 0 {
		f.Notes = append(f.Notes, fmt.Sprintf("%d invocations of the copy function still running when the run ended", running))
	}
	if f.Lost > 0 {
		sizes, err := r.storedSizes(ctx)
		if err != nil {
			return nil, err
		}
		f.Notes = append(f.Notes, describeLost(calls, files, sizes, r.sqs.Messages(queueName)))
	}
	if err := r.measure(ctx, f, calls, s); err != nil {
		return nil, err
	}
	if s.KeepOutput != "" {
		// After measure: the dump ends the function processes.
		f.Notes = append(f.Notes, r.keepOutput(ctx, s, f.Lost > 0))
	}
	return f, nil
}

// waitStored waits until n recordings of want are stored whole, or drain
// has passed, checking once a second; it returns how many are.
func (r *rig) waitStored(ctx context.Context, want map[string]int64, n int, drain time.Duration) (int, error) {
	deadline := time.Now().Add(drain)
	for {
		got, err := r.storedCount(ctx, want)
		if err != nil || got >= n || time.Now().After(deadline) || wait.For(ctx, time.Second) != nil {
			return got, err
		}
	}
}

// storedCount lists the bucket and counts the recordings of want stored
// with their size.
func (r *rig) storedCount(ctx context.Context, want map[string]int64) (int, error) {
	sizes, err := r.storedSizes(ctx)
	if err != nil {
		return 0, err
	}
	got := 0
	for file, size := range want {
		if s, ok := sizes[file]; ok && s == size {
			got++
		}
	}
	return got, nil
}
