package main

import (
	"strings"
	"testing"
)

func TestRatiosPairEachRunWithItsBaseline(t *testing.T) {
	s := setting{mix: mix{Rate: 20}, BatchSize: 10, MaxConcurrency: 2, Memory: 128, BatchConcurrency: 2}
	base := s
	base.DefaultUploader, base.Memory = true, 256
	alone := s
	alone.Rate = 5
	runs := []*figures{
		{Setting: s, Stored: 1000, GBSeconds: 6, BilledSeconds: 48, S3Requests: 3000, PBXRequests: 2050, Latency: []float64{1, 2, 4}},
		{Setting: base, Stored: 1000, GBSeconds: 10, BilledSeconds: 40, S3Requests: 4000, PBXRequests: 2050, Latency: []float64{1, 2, 8}},
		{Setting: alone, Stored: 10, GBSeconds: 1},
	}
	var b strings.Builder
	writeRatios(&b, runs)
	got := b.String()
	// Memory 128/256, p50 2/2, p99 4/8, GB-s 0.6, billed seconds 1.2, PBX 1,
	// S3 0.75; the unpaired run has no row.
	if !strings.Contains(got, "| 20/s, batch 10, window 0s, concurrency 2, 128 MB, batch concurrency 2 | 128 / 256 | 1.00 | 0.50 | 0.60 | 1.20 | 1.00 | 0.75 |") {
		t.Errorf("ratios:\n%s", got)
	}
	if strings.Contains(got, "5/s") {
		t.Errorf("a run without a baseline has a ratio row:\n%s", got)
	}
	b.Reset()
	writeRatios(&b, runs[2:])
	if b.Len() != 0 {
		t.Errorf("ratios without any pair: %q", b.String())
	}
}
