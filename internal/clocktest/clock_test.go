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
	done := make(chan error, 1)
	go func() { done <- c.Sleep(t.Context(), time.Minute) }()
	if err := c.WaitSleepers(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
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
	done := make(chan error, 1)
	go func() { done <- c.Sleep(ctx, time.Minute) }()
	if err := c.WaitSleepers(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep = %v, want context.Canceled", err)
	}
}

func TestSetAutoWakesSleepers(t *testing.T) {
	c := clocktest.New(start)
	done := make(chan error, 1)
	go func() { done <- c.Sleep(t.Context(), time.Hour) }()
	if err := c.WaitSleepers(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	c.SetAuto()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := c.Now(); !got.Equal(start.Add(time.Hour)) {
		t.Errorf("Now = %v, want the sleeper's end %v", got, start.Add(time.Hour))
	}
}
