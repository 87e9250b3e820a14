package copyhandler

import (
	"context"
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
	// back: its first two, leaving three of the queue's five
	// (maxReceiveCount) to failures; a later receive waits for a busy PBX
	// inside the invocation, as long as its deadline allows.
	HandBackReceives = 2
	// HandBackAfter is how long a handed-back message stays hidden: a busy
	// PBX serves an .mp3 once no other download streams, which takes
	// seconds, not the queue's 30-minute visibility timeout.
	HandBackAfter = 10 * time.Second
)

// A copy of an SQS record that waits for a busy PBX (70082: with the .mp3
// download format the PBX serves one download at a time) bills its
// invocation for the whole wait, and while the batch's own downloads from
// that PBX run, asking again is futile. So the copies of one batch that
// wait for one PBX wait on a gate (busyGate) that releases them once every
// started copy from that PBX waits: each then asks the PBX once more, and
// one still refused (or still waiting at its deadline) is handed back to
// the queue (Returner), to be received again HandBackAfter later, while
// the function serves other records. Only the first HandBackReceives
// receives are handed back, so that a PBX that is never idle cannot move a
// message to the dead-letter queue by handing it back; the recording is
// never lost either way.

// busyGate releases the waits for one busy PBX of one batch's copies once
// every started, unfinished copy from that PBX is such a wait. It is
// released again each time that holds anew: a copy started later waits for
// the next release.
type busyGate struct {
	mu      sync.Mutex
	running int // copies from the PBX started and not finished
	waiting int // of those, waits not yet released
	release chan struct{}
}

func newBusyGate() *busyGate {
	return &busyGate{release: make(chan struct{})}
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
		g = newBusyGate()
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

// update releases the waits when they are all that runs, and arms the gate
// again for later ones. Callers hold g.mu.
func (g *busyGate) update() {
	if g.waiting > 0 && g.waiting == g.running {
		close(g.release)
		g.release = make(chan struct{})
		g.waiting = 0
	}
}

// returnWaiter is one record's view of its gate: a copier.BusyGate that
// remembers whether it released the copy, so that a copy released once
// gives up at its next busy answer (its wait starts released).
type returnWaiter struct {
	gate     *busyGate
	rec      trigger.Record
	released bool // guarded by gate.mu
}

var _ copier.BusyGate = (*returnWaiter)(nil)

// closed is a channel that is closed: the release of a wait that gives up.
var closed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// Waiting implements copier.BusyGate.
func (w *returnWaiter) Waiting() (<-chan struct{}, func()) {
	g := w.gate
	g.mu.Lock()
	defer g.mu.Unlock()
	if w.released {
		return closed, func() {}
	}
	release := g.release
	g.waiting++
	g.update()
	return release, func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		select {
		case <-release:
			w.released = true // update counted it out
		default:
			g.waiting--
		}
	}
}

// waiter returns rec's returnWaiter on g, or nil when rec is not to be
// handed back: no Returner, a record of another queue, or a later receive.
func (h *Handler) waiter(g *busyGate, rec trigger.Record) *returnWaiter {
	if h.returner == nil || rec.ReceiptHandle == "" || rec.Queue != h.returner.Queue() ||
		rec.ReceiveCount < 1 || rec.ReceiveCount > HandBackReceives {
		return nil
	}
	return &returnWaiter{gate: g, rec: rec}
}

// context is ctx carrying w for the copier, when there is a w.
func (w *returnWaiter) context(ctx context.Context) context.Context {
	if w == nil {
		return ctx
	}
	return copier.WithBusyGate(ctx, w)
}

// handBack hands the record back to the queue if its copy, waiting on a
// gate, ended refused as busy: released and refused again, or still waiting
// at the copy's deadline (a copy from the same PBX on its third receive can
// hold the gate that long), when the queue would otherwise keep it hidden
// for its visibility timeout. It reports whether it did, and why not when
// handing back failed. Any other failure is reported as it is.
func (h *Handler) handBack(ctx context.Context, w *returnWaiter, err error) (bool, error) {
	if w == nil || copier.ClassOf(err) != copier.ClassBusy {
		return false, nil
	}
	if err := h.returner.Return(ctx, w.rec.ReceiptHandle, HandBackAfter); err != nil {
		return false, err
	}
	return true, nil
}
