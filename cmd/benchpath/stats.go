package main

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// percentile is the nearest-rank p-th percentile (0 < p <= 100) of vals;
// 0 for none.
func percentile(vals []float64, p float64) float64 {
	if len(vals) == 0 {
		return 0
	}
	s := slices.Clone(vals)
	slices.Sort(s)
	rank := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[max(0, min(rank, len(s)-1))]
}

// gbSeconds is what Lambda bills for billedMs milliseconds of invocations
// at a memory setting of memoryMB: GB-seconds, a GB being 1024 MB.
func gbSeconds(billedMs float64, memoryMB int) float64 {
	return billedMs / 1000 * float64(memoryMB) / 1024
}

// billedMs reads the billed duration, in ms, from one of the emulator's
// REPORT lines ("REPORT RequestId: ...\tDuration: 12.34 ms\tBilled
// Duration: 13 ms\t..."); ok is false for any other line.
func billedMs(line string) (ms float64, ok bool) {
	if !strings.HasPrefix(line, "REPORT RequestId: ") {
		return 0, false
	}
	for field := range strings.SplitSeq(line, "\t") {
		if v, found := strings.CutPrefix(strings.TrimSpace(field), "Billed Duration: "); found {
			ms, err := strconv.ParseFloat(strings.TrimSuffix(v, " ms"), 64)
			return ms, err == nil
		}
	}
	return 0, false
}

// minS3Requests is the fewest S3 requests that store a recording of size
// bytes with parts of partSize: the check that it is not already stored
// (HeadObject), then one PutObject, or for a larger object
// CreateMultipartUpload, its parts and CompleteMultipartUpload.
func minS3Requests(size, partSize int64) int {
	if size < partSize {
		return 2
	}
	parts := (size + partSize - 1) / partSize
	return 1 + 2 + int(parts)
}
