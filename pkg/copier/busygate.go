package copier

import (
	"context"
	"time"
)

// A BusyGate lets a copy stop waiting for a busy PBX (70082: with the .mp3
// download format the PBX serves one download at a time) when waiting
// inside the invocation is no longer worth its cost: copyhandler hands the
// recording back to its queue instead once every started copy of the batch
// from that PBX only waits, since an invocation bills the wait whole.
type BusyGate interface {
	// Waiting is called as the copy starts waiting, for release alone.
	// Once release is closed the copy makes one more attempt and then
	// gives up, failing with the PBX's busy answer. done is called when
	// the wait ends.
	Waiting() (release <-chan struct{}, done func())
}

type busyGateKey struct{}

// WithBusyGate returns ctx carrying g: a copy run with it consults g before
// each wait for a busy PBX. Without one a copy waits as long as its
// deadline allows (Copier.again).
func WithBusyGate(ctx context.Context, g BusyGate) context.Context {
	return context.WithValue(ctx, busyGateKey{}, g)
}

// waitBusy waits d for a busy PBX, as sleep does; it reports whether to
// make another attempt. With a gate in ctx the wait lasts until the gate
// releases it instead: while the batch's other copies from the PBX run,
// their downloads keep it busy, so asking again would only add requests.
// The release ends the wait with one more attempt (none of them downloads
// now, so the PBX may well be idle); a wait that starts released gives up.
func waitBusy(ctx context.Context, d time.Duration) bool {
	g, ok := ctx.Value(busyGateKey{}).(BusyGate)
	if !ok {
		return sleep(ctx, d)
	}
	release, done := g.Waiting()
	defer done()
	select {
	case <-release:
		return false // the attempt that failed was the one after the release
	default:
	}
	select {
	case <-release:
		return worthWaiting(ctx, 0) && ctx.Err() == nil
	case <-ctx.Done():
		return false
	}
}
