package copyhandler

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/recording-sync/recording-sync/pkg/copier"
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
// invocation for the whole wait, and once the rest of its batch is done
// nothing else runs in it. So the records of a batch that all wait gives
// up together (busyGate) and are handed back to the queue (Returner) to
// be received again HandBackAfter later, while the function serves other
// batches. Only the first HandBackReceives receives are handed back, so
// that a PBX that is never idle cannot move a message to the dead-letter
// queue by handing it back; the recording is never lost either way.

// busyGate releases the waits for a busy PBX of one batch's copies once
// every record of the batch not yet finished is such a wait.
type busyGate struct {
	mu      sync.Mutex
	running int // records of the batch not finished
	waiting int // copies waiting for a busy PBX that may be handed back
	release chan struct{}
	closed  bool
}

func newBusyGate(records int) *busyGate {
	return &busyGate{running: records, release: make(chan struct{})}
}

// finish is called once for each record of the batch, when it is done.
func (g *busyGate) finish() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.running--
	g.update()
}

// update releases the waits when they are all that runs. Callers hold g.mu.
func (g *busyGate) update() {
	if !g.closed && g.waiting > 0 && g.waiting == g.running {
		g.closed = true
		close(g.release)
	}
}

// returnWaiter is one record's view of its batch's gate: a copier.BusyGate
// that remembers whether it released the copy.
type returnWaiter struct {
	gate     *busyGate
	rec      trigger.Record
	released atomic.Bool
}

var _ copier.BusyGate = (*returnWaiter)(nil)

// Waiting implements copier.BusyGate.
func (w *returnWaiter) Waiting() (<-chan struct{}, func()) {
	g := w.gate
	g.mu.Lock()
	g.waiting++
	g.update()
	g.mu.Unlock()
	return g.release, func() {
		select {
		case <-g.release:
			w.released.Store(true)
		default:
		}
		g.mu.Lock()
		g.waiting--
		g.mu.Unlock()
	}
}

// waiter returns rec's returnWaiter, or nil when rec is not to be handed
// back: no Returner, a record of another queue, or a later receive.
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

// handBack hands the record back to the queue if its copy was released;
// it reports whether it was, and why not when handing back failed.
func (h *Handler) handBack(ctx context.Context, w *returnWaiter) (bool, error) {
	if w == nil || !w.released.Load() {
		return false, nil
	}
	if err := h.returner.Return(ctx, w.rec.ReceiptHandle, HandBackAfter); err != nil {
		return false, err
	}
	return true, nil
}
