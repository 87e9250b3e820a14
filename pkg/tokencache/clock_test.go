package tokencache

import (
	"context"
	"sync"
	"time"
)

// fakeClock is the injected clock of the tests (Options.Now and
// Options.Sleep). The tests talk to the real S3 server over the network,
// which testing/synctest cannot count as durably blocking, so time is
// faked here instead.
//
// In manual mode a Sleep blocks until advance moves the clock past its
// end (or its ctx ends); waitSleepers lets a test see that the sources it
// drives are waiting. In auto mode a Sleep moves the clock to its end and
// returns at once: waits cost no real time.
type fakeClock struct {
	mu       sync.Mutex
	now      time.Time
	auto     bool
	sleepers map[chan struct{}]time.Time // wake channel -> end
	changed  chan struct{}               // closed and replaced when sleepers change
}

func newFakeClock(auto bool) *fakeClock {
	return &fakeClock{now: time.Now(), auto: auto, sleepers: map[chan struct{}]time.Time{}, changed: make(chan struct{})}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
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

// advance moves the clock by d and wakes the sleepers whose end it passed.
func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.wakeLocked()
}

// setAuto switches to auto mode and wakes every sleeper, moving the clock
// to the latest end.
func (c *fakeClock) setAuto() {
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

// waitSleepers blocks until at least n goroutines sleep, or ctx ends.
func (c *fakeClock) waitSleepers(ctx context.Context, n int) error {
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

func (c *fakeClock) wakeLocked() {
	for wake, end := range c.sleepers {
		if !end.After(c.now) {
			close(wake)
			delete(c.sleepers, wake)
		}
	}
	c.notifyLocked()
}

func (c *fakeClock) notifyLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}
