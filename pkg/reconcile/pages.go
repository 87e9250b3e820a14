package reconcile

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// pendingItem is a missing recording waiting for a full batch, with the
// cursor of its window just before its page: until it is queued, the
// window's saved cursor may not pass that point.
type pendingItem struct {
	item   yeastar.SearchItem
	before Cursor
}

// window works through w's pages from its cursor until the window is done,
// time runs out or something fails. Missing recordings are sent in full
// batches of MaxBatch across pages (the rest when the run stops), and the
// saved cursor never passes a recording that was not queued.
func (ru *run) window(ctx context.Context, w Window, scheduled bool) (Result, error) {
	ru.touched = append(ru.touched, w)
	cur := *ru.cursorOf(w, scheduled)
	if cur.PageSize <= 0 {
		cur.PageSize = ru.opts.PageSize
	}
	res := Result{Window: w}
	var pending []pendingItem
	page, resuming := max(cur.Page, 1), cur.Page > 0
	for {
		if !ru.timeLeft() {
			return ru.stop(ctx, res, cur, pending, nil)
		}
		started := ru.opts.Now()
		got, err := ru.search(ctx, w, page)
		if err != nil {
			return ru.stop(ctx, res, cur, pending, err)
		}
		// Recordings deleted before the cursor (the PBX's auto-cleanup)
		// shift the later ones to earlier pages: step back until the page
		// starts at or before the last recording handled.
		if page > 1 && len(got.Items) > 0 && got.Items[0].ID > cur.LastID && (resuming || got.Total < cur.Total) {
			page--
			continue
		}
		resuming = false
		if page == 1 && len(got.Items) > 0 && len(got.Items) < min(ru.opts.PageSize, got.Total) {
			cur.PageSize = len(got.Items) // the PBX caps its pages
		}
		missing, err := ru.page(ctx, &res, got.Items, cur.LastID)
		if err != nil {
			return ru.stop(ctx, res, cur, pending, err)
		}
		for _, it := range missing {
			pending = append(pending, pendingItem{item: it, before: cur})
		}
		res.Pages++
		cur.Page, cur.Total = page, got.Total
		for _, it := range got.Items {
			cur.LastID = max(cur.LastID, it.ID)
		}
		queued := res.Queued
		last := len(got.Items) == 0 || page*cur.PageSize >= got.Total
		// Full batches only, but everything on the window's last page.
		if pending, err = ru.flush(ctx, &res, pending, !last); err != nil {
			return ru.stop(ctx, res, cur, pending, err)
		}
		done := min((page-1)*cur.PageSize+len(got.Items), got.Total)
		res.Done, res.Total = done, got.Total
		ru.opts.OnPage(ctx, Progress{Window: w, Page: page, Done: done, Total: got.Total, Queued: res.Queued - queued})
		ru.longest = max(ru.longest, ru.opts.Now().Sub(started))
		if last {
			ru.st.dropCursor(w)
			res.Complete = true
			return res, ru.saveSometimes(ctx)
		}
		ru.st.setCursor(safeCursor(cur, pending))
		if err := ru.saveSometimes(ctx); err != nil {
			return ru.stop(ctx, res, cur, pending, err)
		}
		page++
	}
}

// safeCursor is cur, or the cursor before the oldest recording still
// waiting to be queued.
func safeCursor(cur Cursor, pending []pendingItem) Cursor {
	if len(pending) > 0 {
		return pending[0].before
	}
	return cur
}

// stop ends the window early: what is pending is sent (unless the queue
// itself failed), and the cursor saved is the furthest point before which
// every missing recording was queued.
func (ru *run) stop(ctx context.Context, res Result, cur Cursor, pending []pendingItem, cause error) (Result, error) {
	if len(pending) > 0 && !errorsIsQueue(cause) {
		var err error
		if pending, err = ru.flush(ctx, &res, pending, false); err != nil && cause == nil {
			cause = err
		}
	}
	cur = safeCursor(cur, pending)
	if cur.Page > 0 || cur.Scheduled {
		// A scheduled window is kept even before its first page: if the
		// PBX stays unreachable past the lookback, no later trailing
		// window covers it.
		ru.keepCursor(cur)
	}
	res.Complete = false
	res.Cursor = &cur
	return res, cause
}

// page sorts one page's recordings: stored, recently queued, or missing
// (returned). Recordings up to lastID were handled before.
func (ru *run) page(ctx context.Context, res *Result, items []yeastar.SearchItem, lastID int64) ([]yeastar.SearchItem, error) {
	now := ru.opts.Now()
	var checks []check
	var missing []yeastar.SearchItem
	for _, it := range items {
		if it.ID <= lastID {
			continue
		}
		res.Listed++
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
		case ru.st.Queued.recent(it.ID, now, ru.opts.RequeueAfter) || slices.ContainsFunc(missing, func(m yeastar.SearchItem) bool { return m.ID == it.ID }):
			res.SkippedRecentlyQueued++
		default:
			missing = append(missing, it)
		}
	}
	ru.present.pageDone(checks)
	return missing, nil
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
		n := min(MaxBatch, len(pending))
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
