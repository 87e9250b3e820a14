package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/internal/metricstest"
	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/metrics"
)

// sqsOperations are the operations the webhook and the mapping ask of SQS.
var sqsOperations = []string{"SendMessage", "SendMessageBatch", "ReceiveMessage", "DeleteMessage", "DeleteMessageBatch", "ChangeMessageVisibility"}

// measure fills f from what the rig's parts counted and what the copy
// instances printed.
func (r *rig) measure(ctx context.Context, f *figures, calls []call, s setting) error {
	copied := map[string]int{}
	var billed float64
	for _, inst := range r.copies {
		lat, n, ms, err := readOutput(inst.out.String(), copied, f.Waits, f.Failures)
		if err != nil {
			return err
		}
		f.Latency = append(f.Latency, lat...)
		f.Invocations += n
		billed += ms
		kills, throttled, err := inst.lambda.Limited()
		if err != nil {
			return err
		}
		f.OOMKills += int(kills)
		f.Throttled += throttled
		if n > 0 {
			rss, err := inst.lambda.FunctionPeakRSS()
			if err != nil {
				return err
			}
			f.PeakRSS = max(f.PeakRSS, rss)
			cpu, err := inst.lambda.FunctionCPU()
			if err != nil {
				return err
			}
			f.CPU += cpu
		}
	}
	if f.OOMKills > 0 {
		f.Notes = append(f.Notes, fmt.Sprintf("the memory limit ended the copy function %d times", f.OOMKills))
	}
	f.BilledSeconds = billed / 1000
	f.GBSeconds = gbSeconds(billed, s.Memory)
	for _, n := range copied {
		if n > 1 {
			f.StoredTwice++
		}
	}
	st := r.sim.Stats()
	// Every API and download request is counted under its User-Agent,
	// refused ones included.
	for _, n := range st.UserAgents {
		f.PBXRequests += n
	}
	f.Resets, f.Busy = st.Faults.Dropped, st.Faults.API
	f.PBXKinds = pbxKinds{Tokens: st.APIRequests["get_token"] + st.APIRequests["refresh_token"], Links: st.APIRequests["recording/download"],
		Downloads: st.DownloadsStarted, MP3Refusals: st.MP3Refusals}
	reqs := r.proxy.Requests()
	f.S3Requests, f.S3Kinds = len(reqs), s3Kinds(reqs)
	f.S3Conns = r.proxy.Connections()
	part := partSize(s)
	for _, c := range calls {
		f.S3Minimum += minS3Requests(c.Size, part)
	}
	for _, op := range sqsOperations {
		f.SQSRequests += r.sqs.Requests(op)
	}
	ups, err := r.s3c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	if err != nil {
		return fmt.Errorf("list multipart uploads: %w", err)
	}
	f.OpenUploads = len(ups.Uploads)
	return nil
}

// pbxKinds are a run's PBX requests by kind.
type pbxKinds struct {
	Tokens      int // get_token and refresh_token
	Links       int // recording/download, refused ones included
	Downloads   int // downloads answered with audio
	MP3Refusals int // recording/download and downloads answered 70082 by the .mp3 rule
}

// String formats k for the report.
func (k pbxKinds) String() string {
	return fmt.Sprintf("tokens %d, recording/download %d, downloads %d, refused by the .mp3 rule %d", k.Tokens, k.Links, k.Downloads, k.MP3Refusals)
}

// partSize is the copy's part size in s: the SDK default's 5 MiB, or the
// function's for its memory setting and batch concurrency
// (pkg/config.UploadFor).
func partSize(s setting) int64 {
	if s.DefaultUploader {
		return 5 << 20
	}
	u, err := config.UploadFor(func(name string) (string, bool) {
		if name == "AWS_LAMBDA_FUNCTION_MEMORY_SIZE" {
			return strconv.Itoa(s.Memory), true
		}
		return "", false
	}, s.BatchConcurrency)
	if err != nil {
		return 5 << 20 // not reached: no override is looked up
	}
	return int64(u.PartSizeMiB) << 20
}

// readOutput reads one copy instance's output: the CallEndToStored of
// every recording it stored, from its metric lines; how many times it
// copied each file (added to copied); its busy waits and download resumes
// (added to waits); its failed copies by failureClass (added to failures); its
// invocations and their billed ms,
// from the emulator's REPORT lines.
func readOutput(out string, copied map[string]int, waits map[string]float64, failures map[string]int) (latency []float64, invocations int, billed float64, err error) {
	for line := range strings.Lines(out) {
		if ms, ok := billedMs(strings.TrimRight(line, "\n")); ok {
			invocations++
			billed += ms
			continue
		}
		data, err := metricstest.Parse([]byte(line))
		if err != nil {
			return nil, 0, 0, err
		}
		if v, ok := value(data, metrics.CallEndToStored.Name); ok {
			latency = append(latency, v)
		}
		for _, m := range []metrics.Metric{metrics.BusyWaits, metrics.DownloadResumes, metrics.RecordingsHandedBack} {
			if v, ok := value(data, m.Name); ok {
				waits[m.Name] += v
			}
		}
		var l struct {
			File      string `json:"file"`
			ErrorType string `json:"errorType"`
			Error     string `json:"error"`
		}
		if len(data) > 0 {
			_ = json.Unmarshal([]byte(line), &l) // a metric line is JSON: Parse read it
		}
		if v, ok := value(data, metrics.RecordingsCopied.Name); ok && v > 0 {
			copied[l.File]++
		}
		if v, ok := value(data, metrics.RecordingsFailed.Name); ok && v > 0 {
			failures[failureClass(l.ErrorType, l.File, l.Error)]++
		}
	}
	return latency, invocations, billed, nil
}

// value is the metric name's value in a line's data: the first, since a
// line reports it once under each of its dimension sets.
func value(data []metricstest.Datum, name string) (float64, bool) {
	for _, d := range data {
		if d.Name == name && len(d.Values) > 0 {
			return d.Values[0], true
		}
	}
	return 0, false
}

// loadAverage is the machine's load averages over 1, 5 and 15 minutes.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	fields := strings.Fields(string(b))
	if len(fields) < 3 {
		return "?"
	}
	return strings.Join(fields[:3], " ")
}
