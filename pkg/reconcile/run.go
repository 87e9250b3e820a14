package reconcile

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/sealedobj"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// run is one invocation in progress: the state it works on and when it
// must stop.
type run struct {
	*Reconciler
	st      State
	version string
	stopAt  time.Time // zero: no deadline
	touched []Window
	unsaved int // pages since the last save
	longest time.Duration
	present *presence
	times   pbxTimes  // how the PBX writes its times
	cutoff  time.Time // a call that ended after it is not due yet
	// searches and queuedInRun count toward the run's caps.
	searches, queuedInRun    int
	stateReset, clockWarning string // see Result
}

// Run reconciles req's window; a scheduled request then continues the
// windows earlier runs left unfinished. A recording is queued only once
// its call ended more than Settle ago, read in the PBX's zone and date
// format (asked once per run). It stops before ctx's deadline
// (less a reserve to save its cursor); an unfinished window's Result has
// Complete false and its Cursor, and the next run continues there. A
// failure stops the run with an *IncompleteError after saving the cursor;
// a PBX that pages wrong, or a run at its caps, with a *PagingError in it.
//
// A run loads the state, chooses its windows, works each page by page (a
// search, the presence check, the queue) until one stops, and saves the
// state.
func (r *Reconciler) Run(ctx context.Context, req Request) (Result, error) {
	now := r.opts.Now()
	ru := &run{Reconciler: r, present: newPresence(r.bucket, r.name, r.keys), cutoff: now.Add(-r.opts.Settle)}
	if deadline, ok := ctx.Deadline(); ok {
		ru.stopAt = deadline.Add(-reserveFor(ctx, now))
	}
	st, version, err := ru.load(ctx)
	if err != nil {
		// Nothing done, nothing saved: the next run starts from the same
		// state.
		res := Result{Window: req.Window}
		return res, &IncompleteError{Result: res, Err: err}
	}
	ru.st, ru.version = st, version
	ru.st.Queued.prune(now, r.opts.RequeueAfter)

	// The pages are worked under the stop time, so that even a request that
	// hangs leaves the reserve for saving the cursor, which uses ctx.
	work, cancel := ctx, context.CancelFunc(func() {})
	if !ru.stopAt.IsZero() {
		work, cancel = context.WithDeadline(ctx, ru.stopAt)
	}
	defer cancel()
	ru.times, ru.clockWarning, err = readClock(work, r.opts.Clock, func(read func() (PBXClock, error)) (PBXClock, error) {
		return retry(work, ru, read)
	})
	if err != nil {
		// As a first search that failed: a scheduled window keeps its
		// cursor.
		res, err := ru.stop(ctx, Result{Window: req.Window}, *ru.cursorOf(req.Window, req.Scheduled), nil, err)
		return ru.finish(ctx, res, err)
	}

	var results []Result
	for _, c := range ru.windows(req) {
		var res Result
		res, err = ru.window(work, c.Window, c.Scheduled)
		err = timeUp(ctx, work, err)
		results = append(results, res)
		if err != nil || !res.Complete {
			break
		}
	}
	res := results[0]
	if len(results) > 1 {
		res.Continued = results[1:]
	}
	res.StateReset, res.ClockWarning = ru.stateReset, ru.clockWarning
	return ru.finish(ctx, res, err)
}

// load reads the state. One that does not open is started afresh at its
// version, and the run says why (Result.StateReset).
func (ru *run) load(ctx context.Context) (State, string, error) {
	st, version, err := ru.state.Load(ctx)
	var unreadable *sealedobj.UnreadableError
	if errors.As(err, &unreadable) {
		ru.stateReset = unreadable.Reason
		return State{}, unreadable.Version, nil
	}
	return st, version, err
}

// windows are the windows a run works on, in order: req's, then, for a
// scheduled request, the unfinished windows of earlier runs, oldest
// first. The newest hours come first so that an old window the PBX cannot
// page through, or one that takes the run's time, never keeps them from
// being covered.
func (ru *run) windows(req Request) []Cursor {
	ws := []Cursor{{Window: req.Window, Scheduled: req.Scheduled}}
	if req.Scheduled {
		ws = append(ws, ru.st.pending(req.Window)...)
	}
	return ws
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
	if cur.Pages == 0 {
		cur.Pages = pageCount(cur.Total, cur.PageSize) // a cursor saved before Pages
	}
	p := &pager{run: ru, res: Result{Window: w}, cur: cur, page: max(cur.Page, 1), resuming: cur.Page > 0, reread: cur.Page > 0}
	var err error
	for !p.res.Complete && err == nil && ru.timeLeft() {
		err = p.next(ctx)
	}
	if p.res.Complete {
		return p.res, err
	}
	return ru.stop(ctx, p.res, p.cur, p.pending, err)
}

// pager is one window being worked through, page by page.
type pager struct {
	*run
	res      Result
	cur      Cursor
	pending  []pendingItem // missing recordings not queued yet
	page     int           // the page to ask for next
	resuming bool          // no page read yet after a saved cursor
	reread   bool          // the next page is one read before, on purpose
}

// next does one page: search, presence, queue, cursor. On the window's
// last page it completes the window.
func (p *pager) next(ctx context.Context) error {
	if err := p.checkCaps(); err != nil {
		return err
	}
	started := p.opts.Now()
	p.searches++
	got, err := p.search(ctx, p.res.Window, p.page)
	if err != nil {
		return err
	}
	if p.shifted(got) {
		p.page--
		p.reread = true
		return nil
	}
	if err := p.checkPage(got); err != nil {
		return err
	}
	p.resuming, p.reread = false, false
	if p.page == 1 {
		if len(got.Items) > 0 && len(got.Items) < min(p.opts.PageSize, got.Total) {
			p.cur.PageSize = len(got.Items) // the PBX caps its pages
		}
		// The page count is the first page's: a later total_number
		// cannot keep the window going.
		p.cur.Pages = pageCount(got.Total, p.cur.PageSize)
	}
	missing, err := p.sortPage(ctx, &p.res, got.Items, p.cur.LastID)
	if err != nil {
		return err
	}
	for _, m := range missing {
		p.pending = append(p.pending, pendingItem{item: m.item, lost: m.lost, before: p.cur})
	}
	p.advance(got)
	queued := p.res.Queued
	last := len(got.Items) == 0 || p.page >= p.cur.Pages
	// Full batches only, but everything on the window's last page.
	if p.pending, err = p.flush(ctx, &p.res, p.pending, !last); err != nil {
		return err
	}
	p.report(ctx, got, p.res.Queued-queued, started)
	if last && len(p.pending) == 0 {
		p.st.dropCursor(p.res.Window)
		p.res.Complete = true
		return p.saveSometimes(ctx)
	}
	p.st.setCursor(safeCursor(p.cur, p.pending))
	p.page++
	return p.saveSometimes(ctx)
}

// shifted reports whether recordings deleted before the cursor (the PBX's
// auto-cleanup) shifted the later ones to earlier pages: the page starts
// after the last recording handled, so the pager steps back.
func (p *pager) shifted(got yeastar.SearchPage) bool {
	return p.page > 1 && len(got.Items) > 0 && got.Items[0].ID > p.cur.LastID && (p.resuming || got.Total < p.cur.Total)
}

// advance moves the cursor past the page just sorted.
func (p *pager) advance(got yeastar.SearchPage) {
	p.res.Pages++
	p.cur.Page, p.cur.Total = p.page, got.Total
	for _, it := range got.Items {
		p.cur.LastID = max(p.cur.LastID, it.ID)
	}
}

// report records the window's progress after a page and tells OnPage.
func (p *pager) report(ctx context.Context, got yeastar.SearchPage, queued int, started time.Time) {
	done := min((p.page-1)*p.cur.PageSize+len(got.Items), got.Total)
	p.res.Done, p.res.Total = done, got.Total
	p.opts.OnPage(ctx, Progress{Window: p.res.Window, Page: p.page, Done: done, Total: got.Total, Queued: queued})
	p.longest = max(p.longest, p.opts.Now().Sub(started))
}

// timeUp drops err when it only says that the run's stop time came while a
// request was in flight: the window stopped like any run out of time, its
// cursor saved, not failed.
func timeUp(ctx, work context.Context, err error) error {
	if err != nil && work.Err() != nil && ctx.Err() == nil {
		return nil
	}
	return err
}

// cursorOf is the saved cursor of w, or a cursor at its start.
func (ru *run) cursorOf(w Window, scheduled bool) *Cursor {
	c, ok := ru.st.cursorFor(w)
	if !ok {
		c = Cursor{Window: w, Scheduled: scheduled}
	}
	return &c
}

// keepCursor saves c, and counts the window it is saved under (c's, or a
// union with other unstarted scheduled windows) as worked on by this run.
func (ru *run) keepCursor(c Cursor) {
	ru.touched = append(ru.touched, ru.st.setCursor(c))
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

// finish saves the state and returns res, or the failure that stopped the
// run as an *IncompleteError.
func (ru *run) finish(ctx context.Context, res Result, err error) (Result, error) {
	saveErr := ru.save(ctx)
	if err == nil && saveErr != nil {
		err = saveErr
	}
	if err == nil {
		return res, nil
	}
	var inv *recording.InvalidInputError
	if errors.As(err, &inv) {
		return res, err
	}
	return res, &IncompleteError{Result: res, Saved: saveErr == nil, Err: err}
}

// maxSaveAttempts bounds the saves of one state against other runs
// saving at the same time.
const maxSaveAttempts = 8

// save writes the state; when another run wrote meanwhile, it merges that
// run's state into its own and tries again.
func (ru *run) save(ctx context.Context) error {
	for attempt := 0; ; attempt++ {
		v, err := ru.state.Save(ctx, ru.st, ru.version)
		if err == nil {
			ru.version, ru.unsaved = v, 0
			return nil
		}
		if !errors.Is(err, ErrConflict) || attempt == maxSaveAttempts-1 {
			return err
		}
		theirs, version, lerr := ru.load(ctx)
		if lerr != nil {
			return fmt.Errorf("%w; reload: %w", err, lerr)
		}
		ru.st.merge(theirs, ru.touched)
		ru.version = version
	}
}

// saveSometimes saves every SaveEvery pages, so that a run killed before
// it could save loses little.
func (ru *run) saveSometimes(ctx context.Context) error {
	ru.unsaved++
	if ru.unsaved < ru.opts.SaveEvery {
		return nil
	}
	err := ru.save(ctx)
	if errors.Is(err, ErrConflict) {
		// Another run keeps winning: nothing is lost, this run's state
		// is saved at its next page or when it stops.
		return nil
	}
	return err
}

// timeLeft reports whether another page fits before the run must stop:
// the longest page so far must fit before stopAt.
func (ru *run) timeLeft() bool {
	return ru.stopAt.IsZero() || ru.opts.Now().Add(ru.longest).Before(ru.stopAt)
}
