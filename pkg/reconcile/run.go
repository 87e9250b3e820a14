package reconcile

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/recording-sync/recording-sync/pkg/recording"
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
}

// Run reconciles req's window; a scheduled request first continues the
// windows earlier runs left unfinished. It stops before ctx's deadline
// (less a reserve to save its cursor); an unfinished window's Result has
// Complete false and its Cursor, and the next run continues there. A
// failure stops the run with an *IncompleteError after saving the cursor.
func (r *Reconciler) Run(ctx context.Context, req Request) (Result, error) {
	now := r.opts.Now()
	ru := &run{Reconciler: r, present: newPresence(r.bucket, r.name, r.keys)}
	if deadline, ok := ctx.Deadline(); ok {
		ru.stopAt = deadline.Add(-reserveFor(ctx, now))
	}
	st, version, err := r.state.Load(ctx)
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
	work := ctx
	if !ru.stopAt.IsZero() {
		var cancel context.CancelFunc
		work, cancel = context.WithDeadline(ctx, ru.stopAt)
		defer cancel()
	}
	var continued []Result
	if req.Scheduled {
		for _, c := range ru.st.pending(req.Window) {
			res, err := ru.window(work, c.Window, c.Scheduled)
			err = timeUp(ctx, work, err)
			continued = append(continued, res)
			if err != nil || !res.Complete {
				// The trailing window is kept for a later run, too.
				cur := ru.cursorOf(req.Window, true)
				if cur.Page == 0 {
					ru.keepCursor(*cur)
				}
				return ru.finish(ctx, Result{Window: req.Window, Cursor: cur, Continued: continued}, err)
			}
		}
	}
	res, err := ru.window(work, req.Window, req.Scheduled)
	err = timeUp(ctx, work, err)
	res.Continued = continued
	return ru.finish(ctx, res, err)
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

// save writes the state; when another run wrote meanwhile, it merges that
// run's state into its own and tries again.
func (ru *run) save(ctx context.Context) error {
	for attempt := 0; ; attempt++ {
		v, err := ru.state.Save(ctx, ru.st, ru.version)
		if err == nil {
			ru.version, ru.unsaved = v, 0
			return nil
		}
		if !errors.Is(err, ErrConflict) || attempt == 3 {
			return err
		}
		theirs, version, lerr := ru.state.Load(ctx)
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
	return ru.save(ctx)
}

// timeLeft reports whether another page fits before the run must stop:
// the longest page so far must fit before stopAt.
func (ru *run) timeLeft() bool {
	return ru.stopAt.IsZero() || ru.opts.Now().Add(ru.longest).Before(ru.stopAt)
}
