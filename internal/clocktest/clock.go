// Package clocktest is the one fake clock of the tests: a settable time for
// a clock injected as func() time.Time (the simulator's, the SQS
// endpoint's, the PBX client's, the token cache's, the reconciler's), and
// a Sleep to inject where code waits.
//
// The tests that use it talk to servers over loopback, which
// testing/synctest cannot count as durably blocking, so time is faked here
// instead of in a bubble.
package clocktest

import (
	"context"
	"sync"
	"testing"
	"time"
)

// Clock is a fake clock, safe for concurrent use. Its time moves only by
// Advance, or, in auto mode, by Sleep.
//
// In manual mode a Sleep blocks until Advance moves the clock past its end
// (or its ctx ends); WaitSleepers lets a test see that the code it drives
// is waiting. In auto mode a Sleep moves the clock to its end and returns
// at once: waits cost no real time.
type Clock struct {
	mu       sync.Mutex
	now      time.Time
	auto     bool
	sleepers map[chan struct{}]time.Time // wake channel -> end
	changed  chan struct{}               // closed and replaced when sleepers change
}

// New returns a clock in manual mode, set to start.
func New(start time.Time) *Clock {
	return &Clock{now: start, sleepers: map[chan struct{}]time.Time{}, changed: make(chan struct{})}
}

// NewAuto returns a clock in auto mode, set to start.
func NewAuto(start time.Time) *Clock {
	c := New(start)
	c.auto = true
	return c
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock by d and wakes the sleepers whose end it passed.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.wakeLocked()
}

// Set sets the clock to t, forward or back, and wakes the sleepers whose
// end it passed.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
	c.wakeLocked()
}

// Sleep waits d on the clock: in auto mode it moves the clock and returns
// at once; in manual mode it returns when Advance has moved the clock past
// its end, or with ctx's error when ctx ends first.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	end := c.now.Add(d)
	if c.auto {
		if end.After(c.now) {
			c.now = end
		}
		c.mu.Unlock()
		return nil
	}
	wake := make(chan struct{})
	c.sleepers[wake] = end
	c.notifyLocked()
	c.mu.Unlock()
	select {
	case <-wake:
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.sleepers, wake)
		c.notifyLocked()
		c.mu.Unlock()
		return ctx.Err()
	}
}

// SetAuto switches to auto mode and wakes every sleeper, moving the clock
// to the latest end.
func (c *Clock) SetAuto() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.auto = true
	for _, end := range c.sleepers {
		if end.After(c.now) {
			c.now = end
		}
	}
	c.wakeLocked()
}

// WaitSleepers blocks until at least n goroutines sleep, or ctx ends.
func (c *Clock) WaitSleepers(ctx context.Context, n int) error {
	for {
		c.mu.Lock()
		have, changed := len(c.sleepers), c.changed
		c.mu.Unlock()
		if have >= n {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// AwaitSleepers waits until at least n goroutines sleep on the clock, and
// fails t if they do not within ten seconds: code that never sleeps fails
// the test instead of hanging it.
func (c *Clock) AwaitSleepers(t testing.TB, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := c.WaitSleepers(ctx, n); err != nil {
		t.Fatalf("waiting for %d sleepers on the clock: %v", n, err)
	}
}

func (c *Clock) wakeLocked() {
	for wake, end := range c.sleepers {
		if !end.After(c.now) {
			close(wake)
			delete(c.sleepers, wake)
		}
	}
	c.notifyLocked()
}

func (c *Clock) notifyLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}
