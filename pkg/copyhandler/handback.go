package copyhandler

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/recording-sync/recording-sync/pkg/copier"
	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/trigger"
)

// Returner hands a received SQS message back to its queue early, to be
// received again after a delay instead of the queue's visibility timeout.
// *queue.Returner implements it.
type Returner interface {
	Queue() string // the queue's name, as an SQS record's eventSourceARN ends
	Return(ctx context.Context, receiptHandle string, d time.Duration) error
}

const (
	// HandBackReceives is how many receives of one message may end handed
	// back: its first four, leaving three of the queue's seven
	// (maxReceiveCount) to failures; a later receive waits for a busy PBX
	// inside the invocation, as long as its deadline allows. Four: a PBX
	// busy with another instance's downloads refuses about one turn in
	// three, and a wait inside the invocation bills it whole (make
	// bench-path: one .mp3 waiting 22 s there cost a sixth of a run's
	// GB-seconds).
	HandBackReceives = 4
	// HandBackAfter is how long a handed-back message stays hidden: a busy
	// PBX serves an .mp3 once no other download streams, which takes
	// seconds, not the queue's 30-minute visibility timeout.
	HandBackAfter = 10 * time.Second
)

// A copy of an SQS record that waits for a busy PBX (70082: with the .mp3
// download format the PBX serves one download at a time, and none while
// another streams) bills its invocation for the whole wait, and while the
// batch's own downloads from that PBX run, asking is futile. So the copies
// of one batch from one PBX share a gate (busyGate): a copy asks for an
// .mp3, or asks again after a busy answer, only when its turn comes: when
// every other started copy from that PBX waits too, one at a time, the
// oldest first. A copy on its first HandBackReceives receives makes that
// one attempt, and, refused again (or still waiting at its deadline), is
// handed back to the queue (Returner), to be received again HandBackAfter
// later, while the function serves other records. A later receive (or a
// record that cannot be handed back) asks for an .mp3 in its turn too,
// but then waits out a busy PBX inside the invocation with the busy
// retry's backoff, as long as its deadline allows, counted as waiting so
// that it holds no other copy back; so a PBX that is never idle cannot
// move a message to the dead-letter queue by handing it back, and the
// recording is never lost either way.

// busyGate gives the copies of one batch from one PBX their turns: the
// oldest copy waiting for its turn gets it when every started, unfinished
// copy from that PBX waits (for a turn, or out a backoff); the next one
// when that holds again.
type busyGate struct {
	mu      sync.Mutex
	running int             // copies from the PBX started and not finished
	backoff int             // of those, waiting out a backoff
	turns   []chan struct{} // of those, waiting for a turn, oldest first
}

// busyGates are a batch's gates, one per PBX.
type busyGates map[string]*busyGate

// of returns the gate of the PBX rec names (the batch's loop alone calls it).
func (gs busyGates) of(rec trigger.Record) *busyGate {
	pbx := ""
	if rec.Item.Ref != nil {
		pbx = recording.PBXOf(*rec.Item.Ref)
	}
	g := gs[pbx]
	if g == nil {
		g = &busyGate{}
		gs[pbx] = g
	}
	return g
}

// start is called as a copy starts, finish when it is done.
func (g *busyGate) start() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.running++
}

func (g *busyGate) finish() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.running--
	g.update()
}

// update gives the oldest waiting copy its turn when every running copy
// waits. Callers hold g.mu.
func (g *busyGate) update() {
	if len(g.turns) > 0 && len(g.turns)+g.backoff == g.running {
		close(g.turns[0])
		g.turns = g.turns[1:]
	}
}

// turn queues a wait for a turn; done ends it, and reports whether the
// turn came.
func (g *busyGate) turn() (<-chan struct{}, func() bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	t := make(chan struct{})
	g.turns = append(g.turns, t)
	g.update()
	return t, func() bool {
		g.mu.Lock()
		defer g.mu.Unlock()
		select {
		case <-t:
			return true // update took it out of turns
		default:
			g.turns = slices.DeleteFunc(g.turns, func(c chan struct{}) bool { return c == t })
			return false
		}
	}
}

// returnWaiter is one record's view of its gate, a copier.BusyGate. A
// record that can be handed back (handsBack) waits for a turn after a
// busy answer too, and remembers that it had one: a copy refused in its
// turn gives up (copier.GiveUp), the .mp3 that asked first in its turn
// included. Asking once more after a backoff found the PBX still busy
// with downloads outside the batch more often than not (make bench-path:
// twice the refusals, 2.11 PBX requests per recording against 2.07-2.09),
// while the record handed back costs the invocation nothing.
type returnWaiter struct {
	gate      *busyGate
	rec       trigger.Record
	handsBack bool
	had       bool // a turn came; guarded by gate.mu
}

var _ copier.BusyGate = (*returnWaiter)(nil)

// closed is a channel that is closed: a turn that needs no waiting.
var closed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// Turn implements copier.BusyGate.
func (w *returnWaiter) Turn() (<-chan struct{}, func()) {
	if w.hadTurn() {
		return closed, func() {}
	}
	t, done := w.gate.turn()
	return t, func() {
		if done() {
			w.tookTurn()
		}
	}
}

// Waiting implements copier.BusyGate.
func (w *returnWaiter) Waiting() (<-chan struct{}, func()) {
	g := w.gate
	if !w.handsBack {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.backoff++
		g.update()
		return nil, func() {
			g.mu.Lock()
			defer g.mu.Unlock()
			g.backoff--
		}
	}
	if w.hadTurn() {
		return copier.GiveUp, func() {} // refused in its turn
	}
	t, done := g.turn()
	select {
	case <-t:
		// Its turn at once (every other copy from the PBX waits): the
		// busy retry's backoff, then its one attempt, holding the turn.
		done()
		w.tookTurn()
		return nil, func() {}
	default:
		return t, func() {
			if done() {
				w.tookTurn()
			}
		}
	}
}

// hadTurn reports whether a copy that hands back had its turn.
func (w *returnWaiter) hadTurn() bool {
	w.gate.mu.Lock()
	defer w.gate.mu.Unlock()
	return w.had
}

// tookTurn records that a copy that hands back had its turn.
func (w *returnWaiter) tookTurn() {
	w.gate.mu.Lock()
	defer w.gate.mu.Unlock()
	w.had = w.handsBack
}

// waiter returns rec's returnWaiter on g; it hands back when rec can be
// handed back: a Returner, a record of its queue, one of its first
// HandBackReceives receives.
func (h *Handler) waiter(g *busyGate, rec trigger.Record) *returnWaiter {
	handsBack := h.returner != nil && rec.ReceiptHandle != "" && rec.Queue == h.returner.Queue() &&
		rec.ReceiveCount >= 1 && rec.ReceiveCount <= HandBackReceives
	return &returnWaiter{gate: g, rec: rec, handsBack: handsBack}
}

// context is ctx carrying w for the copier, when there is a w.
func (w *returnWaiter) context(ctx context.Context) context.Context {
	if w == nil {
		return ctx
	}
	return copier.WithBusyGate(ctx, w)
}

// handBack hands the record back to the queue if it can be and its copy
// ended refused as busy: in its turn, or still waiting for one at the
// copy's deadline (another copy from the PBX can download that long), when
// the queue would otherwise keep it hidden for its visibility timeout. It
// reports whether it did, and why not when handing back failed. Any other
// failure is reported as it is.
func (h *Handler) handBack(ctx context.Context, w *returnWaiter, err error) (bool, error) {
	if w == nil || !w.handsBack || copier.ClassOf(err) != copier.ClassBusy {
		return false, nil
	}
	if err := h.returner.Return(ctx, w.rec.ReceiptHandle, HandBackAfter); err != nil {
		return false, err
	}
	return true, nil
}
