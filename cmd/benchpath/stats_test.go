package main

import (
	"math"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	vals := []float64{5, 1, 4, 2, 3, 10, 9, 8, 7, 6}
	for _, tt := range []struct {
		p, want float64
	}{{50, 5}, {95, 10}, {99, 10}, {10, 1}, {100, 10}, {1, 1}} {
		if got := percentile(vals, tt.p); got != tt.want {
			t.Errorf("p%v = %v, want %v", tt.p, got, tt.want)
		}
	}
	if got := percentile(nil, 99); got != 0 {
		t.Errorf("p99 of nothing = %v", got)
	}
	if vals[0] != 5 {
		t.Error("percentile sorted its input")
	}
}

func TestGBSeconds(t *testing.T) {
	// 1,000 invocations of 1 s at 128 MB: 125 GB-seconds.
	if got := gbSeconds(1000*1000, 128); got != 125 {
		t.Errorf("gbSeconds = %v, want 125", got)
	}
	if got := gbSeconds(1500, 1024); got != 1.5 {
		t.Errorf("gbSeconds = %v, want 1.5", got)
	}
}

func TestBilledMs(t *testing.T) {
	for _, tt := range []struct {
		line string
		want float64
		ok   bool
	}{
		{"REPORT RequestId: 5b9c\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB\t", 13, true},
		{"REPORT RequestId: 5b9c\tInit Duration: 3.10 ms\tDuration: 0.40 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\t", 1, true},
		{"END RequestId: 5b9c", 0, false},
		{`{"level":"INFO","msg":"REPORT RequestId: Billed Duration: 9 ms"}`, 0, false},
	} {
		got, ok := billedMs(tt.line)
		if got != tt.want || ok != tt.ok {
			t.Errorf("billedMs(%q) = %v, %v; want %v, %v", tt.line, got, ok, tt.want, tt.ok)
		}
	}
}

func TestMinS3Requests(t *testing.T) {
	const mib = 1 << 20
	for _, tt := range []struct {
		size, part int64
		want       int
	}{{mib, 8 * mib, 2}, {8 * mib, 8 * mib, 4}, {50 * mib, 8 * mib, 10}, {50 * mib, 5 * mib, 13}} {
		if got := minS3Requests(tt.size, tt.part); got != tt.want {
			t.Errorf("minS3Requests(%d, %d) = %d, want %d", tt.size, tt.part, got, tt.want)
		}
	}
}

func TestPlanIsAPoissonProcess(t *testing.T) {
	m := mix{Rate: 20, Duration: 100 * time.Second, MedianSize: 1 << 20, Sigma: 1.2, MinSize: 16 << 10, MaxSize: 50 << 20,
		MP3Share: 0.1, ResetShare: 0.02, BusyShare: 0.02}
	calls := plan(7, m)
	// 2,000 calls expected; a Poisson count's standard deviation is ~45.
	if n := len(calls); n < 1850 || n > 2150 {
		t.Fatalf("%d calls in 100 s at 20/s", n)
	}
	var gaps, sizes []float64
	var mp3, resets, busy int
	prev := time.Duration(0)
	for _, c := range calls {
		if c.At < prev || c.At >= m.Duration {
			t.Fatalf("call at %v after %v, or past the run", c.At, prev)
		}
		gaps = append(gaps, (c.At - prev).Seconds())
		prev = c.At
		if c.Size < m.MinSize || c.Size > m.MaxSize {
			t.Fatalf("size %d outside [%d, %d]", c.Size, m.MinSize, m.MaxSize)
		}
		sizes = append(sizes, float64(c.Size))
		mp3 += btoi(c.MP3)
		resets += btoi(c.Fault == faultReset)
		busy += btoi(c.Fault == faultBusy)
	}
	// Exponential gaps: the median is ln 2 times the mean (1/rate).
	if med := percentile(gaps, 50); math.Abs(med-math.Ln2/20) > 0.005 {
		t.Errorf("median gap %.4f s, want about %.4f", med, math.Ln2/20)
	}
	if med := percentile(sizes, 50) / (1 << 20); med < 0.9 || med > 1.1 {
		t.Errorf("median size %.2f MiB, want about 1", med)
	}
	if top := percentile(sizes, 100); top < 20<<20 {
		t.Errorf("largest recording %.1f MiB: no tail", top/(1<<20))
	}
	n := float64(len(calls))
	for name, got := range map[string]float64{"mp3": float64(mp3) / n / 0.1, "resets": float64(resets) / n / 0.02, "busy": float64(busy) / n / 0.02} {
		if got < 0.6 || got > 1.4 {
			t.Errorf("%s: %.2f of the share asked for", name, got)
		}
	}
	// The same seed draws the same calls; another seed other calls.
	if again := plan(7, m); len(again) != len(calls) || again[10] != calls[10] {
		t.Error("plan is not reproducible from its seed")
	}
	if other := plan(8, m); len(other) == len(calls) && other[10] == calls[10] {
		t.Error("another seed drew the same calls")
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
