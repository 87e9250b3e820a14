package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

// BenchmarkFleetHealthyLatency reports the healthy PBXs' copy latency
// (healthy-ms: the mean durationMs of their "recording copied" lines) in a
// batch of the 7 healthy PBXs of isolationFleet alone, and in a batch
// naming the down, slow and wrong-credentials PBXs too. The isolation
// target is that the second stays within 2x the first; it is reported, not
// asserted, as timings on a shared machine vary.
func BenchmarkFleetHealthyLatency(b *testing.B) {
	ids := yeastartest.FleetIDs(10)
	healthy := map[string]bool{}
	for _, id := range ids[3:] {
		healthy[id] = true
	}
	for _, tc := range []struct {
		name string
		pbxs []string
	}{{"alone", ids[3:]}, {"with-broken", ids}} {
		b.Run(tc.name, func(b *testing.B) {
			fs := newFleetStack(b, isolationFleet(), fleetKeys, "BATCH_CONCURRENCY=10")
			var bodies []string
			for _, id := range tc.pbxs {
				bodies = append(bodies, fleetMessage(id))
			}
			for b.Loop() {
				b.StopTimer()
				for id := range healthy {
					fs.deleteObject(b, "recordings/"+id+"/2024/"+fleetSharedFile)
				}
				b.StartTimer()
				fs.invoke(b, sqsBatch(bodies...))
			}
			b.ReportMetric(meanHealthyMs(b, fs.out.String(), healthy), "healthy-ms")
		})
	}
}

// meanHealthyMs is the mean durationMs of the "recording copied" lines of
// the PBXs in healthy.
func meanHealthyMs(b *testing.B, out string, healthy map[string]bool) float64 {
	var sum, n float64
	for _, line := range strings.Split(out, "\n") {
		var l struct {
			Msg        string  `json:"message"`
			PBX        string  `json:"pbx"`
			DurationMs float64 `json:"durationMs"`
		}
		if json.Unmarshal([]byte(line), &l) != nil || l.Msg != "recording copied" || !healthy[l.PBX] {
			continue
		}
		sum += l.DurationMs
		n++
	}
	if n == 0 {
		b.Fatalf("no healthy PBX's copy logged in:\n%s", out)
	}
	return sum / n
}
