package clocktest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/clocktest"
)

var start = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestAdvance(t *testing.T) {
	c := clocktest.New(start)
	c.Advance(90 * time.Second)
	if got := c.Now(); !got.Equal(start.Add(90 * time.Second)) {
		t.Errorf("Now = %v, want %v", got, start.Add(90*time.Second))
	}
}

func TestSet(t *testing.T) {
	c := clocktest.New(start)
	c.Set(start.Add(-time.Hour))
	if got := c.Now(); !got.Equal(start.Add(-time.Hour)) {
		t.Errorf("Now = %v, want %v", got, start.Add(-time.Hour))
	}
}

func TestAutoSleepMovesTheClock(t *testing.T) {
	c := clocktest.NewAuto(start)
	if err := c.Sleep(t.Context(), time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := c.Now(); !got.Equal(start.Add(time.Hour)) {
		t.Errorf("Now after a 1h sleep = %v, want %v", got, start.Add(time.Hour))
	}
}

// TestManualSleepWaitsForAdvance: a sleeper wakes only once the clock has
// passed its end.
func TestManualSleepWaitsForAdvance(t *testing.T) {
	c := clocktest.New(start)
	done := sleeping(t, t.Context(), c, time.Minute)
	c.Advance(59 * time.Second)
	select {
	case err := <-done:
		t.Fatalf("woke before its end: %v", err)
	default:
	}
	c.Advance(time.Second)
	if err := <-done; err != nil {
		t.Fatalf("Sleep = %v", err)
	}
}

func TestSleepEndsWithItsContext(t *testing.T) {
	c := clocktest.New(start)
	ctx, cancel := context.WithCancel(t.Context())
	done := sleeping(t, ctx, c, time.Minute)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep = %v, want context.Canceled", err)
	}
}

func TestSetAutoWakesSleepers(t *testing.T) {
	c := clocktest.New(start)
	done := sleeping(t, t.Context(), c, time.Hour)
	c.SetAuto()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := c.Now(); !got.Equal(start.Add(time.Hour)) {
		t.Errorf("Now = %v, want the sleeper's end %v", got, start.Add(time.Hour))
	}
}

// sleeping starts a Sleep of d on c with ctx and returns once it sleeps;
// its result comes on the returned channel.
func sleeping(t *testing.T, ctx context.Context, c *clocktest.Clock, d time.Duration) <-chan error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- c.Sleep(ctx, d) }()
	if err := c.WaitSleepers(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	return done
}
