package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// perThousand is GB-seconds per 1,000 recordings stored.
func (f *figures) perThousand() float64 { return f.GBSeconds / float64(max(f.Stored, 1)) * 1000 }

// per is n per recording stored.
func (f *figures) per(n int) float64 { return float64(n) / float64(max(f.Stored, 1)) }

// ok reports whether the run kept the path's promises: every recording
// stored, none twice, no multipart upload left open.
func (f *figures) ok() bool { return f.Lost == 0 && f.StoredTwice == 0 && f.OpenUploads == 0 }

// writeRuns writes one table row per run.
func writeRuns(w *strings.Builder, runs []*figures) {
	fmt.Fprintln(w, "| Run | Load avg (1/5/15 min) | Calls | Stored / lost / twice / open uploads | CallEndToStored p50 / p95 / p99 (s) | GB-s per 1,000 | PBX req. per rec. | S3 req. per rec. (minimum) | SQS req. per rec. | Peak concurrency | Peak RSS (MiB) | Faults fired (resets / busy) | Drain after last call (s) |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, f := range runs {
		fmt.Fprintf(w, "| %s | %s | %d | %d / %d / %d / %d | %.2f / %.2f / %.2f | %.3f | %.2f | %.2f (%.2f) | %.2f | %d | %.0f | %d / %d | %.1f |\n",
			f.Setting.label(), f.Load, f.Calls, f.Stored, f.Lost, f.StoredTwice, f.OpenUploads,
			percentile(f.Latency, 50), percentile(f.Latency, 95), percentile(f.Latency, 99),
			f.perThousand(), f.per(f.PBXRequests), f.per(f.S3Requests), f.per(f.S3Minimum), f.per(f.SQSRequests),
			f.PeakConc, float64(f.PeakRSS)/(1<<20), f.Resets, f.Busy, f.Drained.Seconds())
	}
}

// writeDetails writes, for each run, what its S3 requests were, what its
// copies waited on and why failed copies failed.
func writeDetails(w *strings.Builder, runs []*figures) {
	fmt.Fprintln(w, "\nS3 and PBX requests by kind; what the copies waited on:")
	fmt.Fprintln(w)
	for _, f := range runs {
		fmt.Fprintf(w, "- %s: %s over %d connections; PBX %s; %d invocations, busy waits %.0f, handed back %.0f, download resumes %.0f, failed copies %d", f.Setting.label(), formatKinds(f.S3Kinds), f.S3Conns,
			f.PBXKinds, f.Invocations, f.Waits["BusyWaits"], f.Waits["RecordingsHandedBack"], f.Waits["DownloadResumes"], total(f.Failures))
		if f.Stored > 0 {
			fmt.Fprintf(w, ", function CPU %.1f ms per recording", f.CPU.Seconds()*1000/float64(f.Stored))
		}
		if f.Setting.Limit {
			fmt.Fprintf(w, ", held back by the CPU share %.1f s", f.Throttled.Seconds())
		}
		fmt.Fprintln(w)
		for _, k := range slices.Sorted(maps.Keys(f.Failures)) {
			fmt.Fprintf(w, "  - failed %d×: %s\n", f.Failures[k], k)
		}
		for _, n := range f.Notes {
			fmt.Fprintf(w, "  - %s\n", n)
		}
	}
}

// writeRatios writes, for each run with the function's uploader followed
// by the same run with the SDK's default uploader, each figure's ratio
// function / default uploader.
func writeRatios(w *strings.Builder, runs []*figures) {
	var rows []string
	for i := 0; i+1 < len(runs); i++ {
		fn, base := runs[i], runs[i+1]
		if fn.Setting.DefaultUploader || !base.Setting.DefaultUploader {
			continue
		}
		rows = append(rows, fmt.Sprintf("| %s | %d / %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |", fn.Setting.label(),
			fn.Setting.Memory, base.Setting.Memory,
			ratio(percentile(fn.Latency, 50), percentile(base.Latency, 50)),
			ratio(percentile(fn.Latency, 99), percentile(base.Latency, 99)),
			ratio(fn.perThousand(), base.perThousand()),
			ratio(fn.BilledSeconds/float64(max(fn.Stored, 1)), base.BilledSeconds/float64(max(base.Stored, 1))),
			ratio(fn.per(fn.PBXRequests), base.per(base.PBXRequests)),
			ratio(fn.per(fn.S3Requests), base.per(base.S3Requests)),
			ratio(fn.per(fn.SQSRequests), base.per(base.SQSRequests)),
			ratio(float64(fn.PeakConc), float64(base.PeakConc)),
			ratio(float64(fn.PeakRSS), float64(base.PeakRSS))))
	}
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(w, "\nRatios, the function's uploader / the SDK's default uploader, same calls (MB: the memory setting of each):")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| Run | MB | p50 | p99 | GB-s per 1,000 | Billed s per rec. | PBX req. | S3 req. | SQS req. | Peak concurrency | Peak RSS |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|")
	fmt.Fprintln(w, strings.Join(rows, "\n"))
}

// ratio is a/b to two places, or "-" when b is 0.
func ratio(a, b float64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", a/b)
}

// total is the sum of n's counts.
func total(n map[string]int) int {
	t := 0
	for _, v := range n {
		t += v
	}
	return t
}
