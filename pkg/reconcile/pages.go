package reconcile

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// pendingItem is a missing recording waiting for a full batch, with the
// cursor of its window just before its page: until it is queued, the
// window's saved cursor may not pass that point.
type pendingItem struct {
	item   yeastar.SearchItem
	lost   bool // counted lost once queued
	before Cursor
}

// missingItem is a due recording the bucket lacks.
type missingItem struct {
	item yeastar.SearchItem
	lost bool
}

// safeCursor is cur, or the cursor before the oldest recording still
// waiting to be queued.
func safeCursor(cur Cursor, pending []pendingItem) Cursor {
	if len(pending) > 0 {
		return pending[0].before
	}
	return cur
}

// sortPage sorts one page's recordings: not due yet, stored, recently
// queued, or missing (returned). Recordings up to lastID were handled
// before.
func (ru *run) sortPage(ctx context.Context, res *Result, items []yeastar.SearchItem, lastID int64) ([]missingItem, error) {
	now := ru.opts.Now()
	var checks []check
	var missing []missingItem
	for _, it := range items {
		if it.ID <= lastID {
			continue
		}
		res.Listed++
		lost, due := ru.due(&it, res.Window)
		if !due {
			res.NotDue++
			continue
		}
		c, err := ru.present.plan(it.File, it.ID)
		if err != nil {
			res.Invalid++
			continue
		}
		checks = append(checks, c)
		stored, err := ru.present.stored(ctx, c)
		switch {
		case err != nil:
			return nil, err
		case stored:
			res.AlreadyStored++
			ru.st.Queued.forget(it.ID)
		case ru.st.Queued.recent(it.ID, now, ru.opts.RequeueAfter) || slices.ContainsFunc(missing, func(m missingItem) bool { return m.item.ID == it.ID }):
			res.SkippedRecentlyQueued++
		default:
			missing = append(missing, missingItem{item: it, lost: lost})
		}
	}
	ru.present.pageDone(checks)
	return missing, nil
}

// due reports whether it's call ended (its start, read in the PBX's zone
// and date format, plus its duration) more than Settle before the run
// started, and whether, queued, it counts as lost. It rewrites it.Time in
// yeastar.PBXTimeLayout, the form RefFor reads. A recording whose start
// does not read is due (never left behind), and lost only when its window
// ended before the cutoff: it started before that.
func (ru *run) due(it *yeastar.SearchItem, w Window) (lost, due bool) {
	start, ok := ru.times.start(*it)
	if !ok {
		return !w.To.After(ru.cutoff), true
	}
	it.Time = start.Format(yeastar.PBXTimeLayout)
	ended := start.Add(time.Duration(max(it.Duration, 0)) * time.Second)
	due = ended.Before(ru.cutoff)
	return due, due
}

// queueError marks a failure of the queue, after which nothing more is
// sent in this run.
type queueError struct{ err error }

func (e *queueError) Error() string { return e.err.Error() }
func (e *queueError) Unwrap() error { return e.err }

// errorsIsQueue reports whether err is a queue failure.
func errorsIsQueue(err error) bool {
	var q *queueError
	return errors.As(err, &q)
}

// flush sends pending in batches of MaxBatch (only full ones when full is
// set) and returns what is left. Only what the queue accepted is recorded
// as queued; on a failure the rest stays pending.
func (ru *run) flush(ctx context.Context, res *Result, pending []pendingItem, full bool) ([]pendingItem, error) {
	for len(pending) >= MaxBatch || !full && len(pending) > 0 {
		n := min(MaxBatch, len(pending), ru.opts.MaxQueued-ru.queuedInRun)
		if n <= 0 {
			return pending, nil // the run's cap: the next page fails it
		}
		batch := make([]yeastar.SearchItem, n)
		for i, p := range pending[:n] {
			batch[i] = p.item
		}
		failed, err := ru.queue.Enqueue(ctx, batch)
		if err != nil {
			return pending, &queueError{fmt.Errorf("queue %d recordings: %w", n, err)}
		}
		at := ru.opts.Now().Unix()
		var left []pendingItem
		for i, p := range pending[:n] {
			if slices.Contains(failed, i) {
				left = append(left, p)
				continue
			}
			ru.st.Queued.set(p.item.ID, at)
			res.Queued++
			ru.queuedInRun++
			if p.lost {
				res.Lost++
			}
		}
		refused := len(left)
		left = append(left, pending[n:]...)
		pending = left
		if refused > 0 {
			return pending, &queueError{fmt.Errorf("queue: %d of %d recordings were not accepted", refused, n)}
		}
	}
	return pending, nil
}
