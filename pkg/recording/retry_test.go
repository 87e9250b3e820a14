package recording

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	p := RetryPolicy{Attempts: 10, Base: 100 * time.Millisecond, Max: 3 * time.Second}
	const samples = 200
	var prevMax time.Duration
	for n := 1; n <= 10; n++ {
		d := min(p.Base<<(n-1), p.Max)
		lo, hi := time.Duration(1<<62), time.Duration(0)
		for range samples {
			got := p.Backoff(n)
			if got < d/2 || got > d {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", n, got, d/2, d)
			}
			lo, hi = min(lo, got), max(hi, got)
		}
		if lo == hi {
			t.Errorf("backoff(%d) = %v every time: no jitter", n, lo)
		}
		// Below the cap the waits double: every wait before attempt n+1
		// is at least every wait before attempt n.
		if n > 1 && p.Base<<(n-1) <= p.Max && lo < prevMax {
			t.Errorf("backoff(%d) can be %v, shorter than backoff(%d) at %v", n, lo, n-1, prevMax)
		}
		prevMax = hi
	}
	for _, n := range []int{11, 64, 100, 1 << 20} {
		if got := p.Backoff(n); got < p.Max/2 || got > p.Max {
			t.Errorf("backoff(%d) = %v, want within [%v, %v]", n, got, p.Max/2, p.Max)
		}
	}
}
