package reconcile

import (
	"context"
	"fmt"
	"slices"

	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// window works through w's pages from its cursor until the window is done,
// time runs out or something fails. The cursor moves past a page only once
// every recording of it is known stored, queued or recently queued.
func (ru *run) window(ctx context.Context, w Window, scheduled bool) (Result, error) {
	ru.touched = append(ru.touched, w)
	cur := *ru.cursorOf(w, scheduled)
	if cur.PageSize <= 0 {
		cur.PageSize = ru.opts.PageSize
	}
	res := Result{Window: w}
	page, resuming := max(cur.Page, 1), cur.Page > 0
	for {
		if !ru.timeLeft() {
			return ru.stop(res, cur), nil
		}
		started := ru.opts.Now()
		got, err := ru.search(ctx, w, page)
		if err != nil {
			return ru.stop(res, cur), err
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
		queued, err := ru.page(ctx, &res, got.Items, cur.LastID)
		if err != nil {
			return ru.stop(res, cur), err
		}
		res.Pages++
		cur.Page, cur.Total = page, got.Total
		for _, it := range got.Items {
			cur.LastID = max(cur.LastID, it.ID)
		}
		done := min((page-1)*cur.PageSize+len(got.Items), got.Total)
		ru.opts.OnPage(Progress{Window: w, Page: page, Done: done, Total: got.Total, Queued: queued})
		ru.longest = max(ru.longest, ru.opts.Now().Sub(started))
		if len(got.Items) == 0 || page*cur.PageSize >= got.Total {
			ru.st.dropCursor(w)
			res.Complete = true
			return res, ru.saveSometimes(ctx)
		}
		ru.st.setCursor(cur)
		if err := ru.saveSometimes(ctx); err != nil {
			return ru.stop(res, cur), err
		}
		page++
	}
}

// stop records cur as w's cursor and res as incomplete.
func (ru *run) stop(res Result, cur Cursor) Result {
	if cur.Page > 0 {
		ru.st.setCursor(cur)
	}
	res.Complete = false
	res.Cursor = &cur
	return res
}

// page handles one page: what the bucket lacks and was not queued
// recently is queued. Recordings up to lastID were handled before. It
// returns how many it queued.
func (ru *run) page(ctx context.Context, res *Result, items []yeastar.SearchItem, lastID int64) (int, error) {
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
			return 0, err
		case stored:
			res.AlreadyStored++
			ru.st.Queued.forget(it.ID)
		case ru.st.Queued.recent(it.ID, now, ru.opts.RequeueAfter):
			res.SkippedRecentlyQueued++
		default:
			missing = append(missing, it)
		}
	}
	ru.present.pageDone(checks)
	return ru.enqueue(ctx, res, missing)
}

// enqueue sends missing in batches of MaxBatch. Only what the queue
// accepted is recorded as queued; any failure stops the page, so that the
// cursor stays before it and the next run sends the rest.
func (ru *run) enqueue(ctx context.Context, res *Result, missing []yeastar.SearchItem) (int, error) {
	sent := 0
	for len(missing) > 0 {
		batch := missing[:min(MaxBatch, len(missing))]
		missing = missing[len(batch):]
		failed, err := ru.queue.Enqueue(ctx, batch)
		if err != nil {
			return sent, fmt.Errorf("queue %d recordings: %w", len(batch), err)
		}
		at := ru.opts.Now().Unix()
		for i, it := range batch {
			if !slices.Contains(failed, i) {
				ru.st.Queued.set(it.ID, at)
				res.Queued++
				sent++
			}
		}
		if len(failed) > 0 {
			return sent, fmt.Errorf("queue: %d of %d recordings were not accepted", len(failed), len(batch))
		}
	}
	return sent, nil
}
