package opt

import (
	"testing"
	"time"
)

func TestPositive(t *testing.T) {
	// v -> Positive(v, time.Minute): only a value above zero is kept.
	for v, want := range map[time.Duration]time.Duration{
		time.Second:  time.Second,
		0:            time.Minute,
		-time.Second: time.Minute,
	} {
		if got := Positive(v, time.Minute); got != want {
			t.Errorf("Positive(%v, 1m) = %v, want %v", v, got, want)
		}
	}
	if got := Positive(3, 8); got != 3 {
		t.Errorf("Positive(3, 8) = %d, want 3", got)
	}
}
