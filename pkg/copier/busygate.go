package copier

import (
	"context"
	"time"
)

// A BusyGate lets a copy stop waiting for a busy PBX (70082: with the .mp3
// download format the PBX serves one download at a time) when waiting
// inside the invocation is no longer worth its cost: copyhandler hands the
// recording back to its queue instead once every record of the batch
// still running only waits, since an invocation bills the wait whole.
type BusyGate interface {
	// Waiting is called as the copy starts waiting; the copy gives up,
	// failing with the PBX's busy answer, once release is closed. done is
	// called when the wait ends, either way.
	Waiting() (release <-chan struct{}, done func())
}

type busyGateKey struct{}

// WithBusyGate returns ctx carrying g: a copy run with it consults g before
// each wait for a busy PBX. Without one a copy waits as long as its
// deadline allows (Copier.again).
func WithBusyGate(ctx context.Context, g BusyGate) context.Context {
	return context.WithValue(ctx, busyGateKey{}, g)
}

// waitBusy waits d for a busy PBX, as sleep does, unless the copy's gate
// releases it first; it reports whether to make another attempt.
func waitBusy(ctx context.Context, d time.Duration) bool {
	g, ok := ctx.Value(busyGateKey{}).(BusyGate)
	if !ok {
		return sleep(ctx, d)
	}
	release, done := g.Waiting()
	defer done()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-release:
			cancel()
		case <-ctx.Done():
		}
	}()
	return sleep(ctx, d)
}
