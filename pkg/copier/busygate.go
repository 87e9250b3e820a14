package copier

import (
	"context"
	"errors"
	"path"
	"strings"
	"time"
)

// A BusyGate paces the copies of one batch that ask one PBX for
// recordings it serves one at a time (70082: with the .mp3 download
// format the PBX serves one download at a time, and none while another
// streams): copyhandler gives each copy of an SQS batch one, shared by the
// batch's copies from the same PBX.
type BusyGate interface {
	// Turn is called before a copy asks the PBX for an .mp3 (by its
	// name): while other copies of the batch download from the PBX, the
	// PBX would refuse it, so the copy asks once turn is closed. done is
	// called when the wait ends.
	Turn() (turn <-chan struct{}, done func())
	// Waiting is called as the copy starts waiting after a busy answer.
	// A nil release means: wait the busy retry's backoff, as without a
	// gate, then ask again; GiveUp: give up at once, failing with the
	// PBX's busy answer (copyhandler hands the record back to its queue,
	// since an invocation bills the wait whole). Otherwise the copy waits
	// for release alone, and once it is closed makes one more attempt.
	// done is called when the wait ends.
	Waiting() (release <-chan struct{}, done func())
}

// GiveUp is the release a BusyGate's Waiting names to end the copy's
// waiting: told by its identity, so that a release closed just after
// Waiting returned still gets its attempt.
var GiveUp <-chan struct{} = make(chan struct{})

type busyGateKey struct{}

// WithBusyGate returns ctx carrying g: a copy run with it consults g
// before it asks for an .mp3 and before each wait for a busy PBX. Without
// one a copy asks at once and waits as long as its deadline allows
// (Copier.again).
func WithBusyGate(ctx context.Context, g BusyGate) context.Context {
	return context.WithValue(ctx, busyGateKey{}, g)
}

// errNoTurn is the failure of a copy whose turn to ask the PBX for an
// .mp3 had not come at its deadline: a busy PBX (ClassBusy), though the
// PBX was not asked.
var errNoTurn = errors.New("the PBX was busy with other downloads of the batch until the deadline (.mp3s are served one at a time)")

// awaitTurn waits, before a copy asks for file, for its gate's turn when
// file is an .mp3 and ctx carries a gate.
func awaitTurn(ctx context.Context, file string) error {
	g, ok := ctx.Value(busyGateKey{}).(BusyGate)
	if !ok || !strings.EqualFold(path.Ext(file), ".mp3") {
		return nil
	}
	turn, done := g.Turn()
	defer done()
	select {
	case <-turn:
		return nil
	case <-ctx.Done():
		return errNoTurn
	}
}

// waitBusy waits d for a busy PBX, as sleep does; it reports whether to
// make another attempt. With a gate in ctx that names a release, the wait
// lasts until the gate releases it instead: while the batch's other
// copies from the PBX run, their downloads keep it busy, so asking again
// would only add requests. The release ends the wait with one more
// attempt (none of them downloads now, so the PBX may well be idle); a
// gate that names GiveUp ends it without one.
func waitBusy(ctx context.Context, d time.Duration) bool {
	g, ok := ctx.Value(busyGateKey{}).(BusyGate)
	if !ok {
		return sleep(ctx, d)
	}
	release, done := g.Waiting()
	defer done()
	switch release {
	case nil:
		return sleep(ctx, d)
	case GiveUp:
		return false // the attempt that failed was the one in its turn
	}
	select {
	case <-release:
		return worthWaiting(ctx, 0) && ctx.Err() == nil
	case <-ctx.Done():
		return false
	}
}
