package reconcile

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/recording-sync/recording-sync/pkg/recording"
)

// PBXSet is the PBXs a Fleet reconciles, each with its own Reconciler
// (its PBX client, its state object, its queue messages naming it).
type PBXSet interface {
	// IDs lists the PBXs to cover.
	IDs(ctx context.Context) ([]string, error)
	// Runner returns PBX id's reconciler, and false when no such PBX is
	// configured. An error is one PBX that cannot be worked on now (its
	// entry does not make a client): that PBX fails, not the others.
	Runner(ctx context.Context, id string) (Runner, bool, error)
}

// DefaultFleetConcurrency is how many PBXs a Fleet works on at once by
// default: enough that 100 PBXs fit one run, few enough that the queue
// and S3 see a handful of callers.
const DefaultFleetConcurrency = 4

// FleetOptions hold the optional settings of a Fleet.
type FleetOptions struct {
	// Concurrency is how many PBXs are worked on at once (default
	// DefaultFleetConcurrency).
	Concurrency int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Fleet reconciles every PBX of a set in one run, each with its own state
// and cursor, so that one PBX's garbage state, conflict or failure never
// touches another's. The run's time is shared: a PBX starts with its share
// of what is left (the time until the run's stop time, times the PBXs
// worked on at once, over the PBXs not started yet), stops when it is used
// and continues from its cursor next run; time a fast PBX leaves goes to
// those after it. The order rotates from run to run, so that no PBX is
// always last.
type Fleet struct {
	pbxs PBXSet
	opts FleetOptions
}

var _ Runner = (*Fleet)(nil)

// NewFleet returns a Fleet over pbxs; opts may be nil.
func NewFleet(pbxs PBXSet, opts *FleetOptions) *Fleet {
	var o FleetOptions
	if opts != nil {
		o = *opts
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultFleetConcurrency
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Fleet{pbxs: pbxs, opts: o}
}

// Serves refuses a backfill of a PBX the set does not hold.
func (f *Fleet) Serves(ctx context.Context, id string) error {
	if id == "" {
		return nil
	}
	_, ok, err := f.pbxs.Runner(ctx, id)
	if err == nil && !ok {
		err = notConfigured(id)
	}
	return err
}

// notConfigured is the error of a backfill naming an unknown PBX.
func notConfigured(id string) error {
	return &recording.InvalidInputError{Reason: "PBX " + id + " is not configured"}
}

// Run reconciles req's window on req.PBX alone, or, when it names none, on
// every PBX of the set. Its Result sums the PBXs' and lists each in PBXs.
// When any PBX failed the run is an *IncompleteError naming each failed
// PBX; the others' work is done and saved all the same.
func (f *Fleet) Run(ctx context.Context, req Request) (Result, error) {
	ids := []string{req.PBX}
	if req.PBX == "" {
		var err error
		if ids, err = f.pbxs.IDs(ctx); err != nil {
			res := Result{Window: req.Window}
			return res, &IncompleteError{Result: res, Err: fmt.Errorf("list PBXs: %w", err)}
		}
		ids = rotate(ids, req.Window)
	} else if err := f.Serves(ctx, req.PBX); err != nil {
		return Result{Window: req.Window}, err
	}
	results := f.runAll(ctx, req, ids)
	return fleetResult(req.Window, results)
}

// rotate orders ids from a point chosen by the window's end: a retried
// event keeps its order, the next run starts elsewhere.
func rotate(ids []string, w Window) []string {
	if len(ids) < 2 {
		return ids
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(w.String()))      // a hash.Hash never fails to write
	at := int(h.Sum64() % uint64(len(ids))) //nolint:gosec // less than len(ids), an int
	return append(slices.Clone(ids[at:]), ids[:at]...)
}

// pbxRun is one PBX's part of a run.
type pbxRun struct {
	res Result
	err error
}

// runAll works on ids, Concurrency at a time, in order, each under its
// share of the time left.
func (f *Fleet) runAll(ctx context.Context, req Request, ids []string) []pbxRun {
	var stopAt time.Time
	if deadline, ok := ctx.Deadline(); ok {
		stopAt = deadline.Add(-reserveFor(ctx, f.opts.Now()))
	}
	out := make([]pbxRun, len(ids))
	slots := make(chan struct{}, f.opts.Concurrency)
	var wg sync.WaitGroup
	var panicked sync.Once
	var panicValue any
	for i, id := range ids {
		slots <- struct{}{}
		pctx, cancel := f.share(ctx, stopAt, len(ids)-i)
		wg.Go(func() {
			defer func() { <-slots }()
			defer cancel()
			defer func() {
				if v := recover(); v != nil {
					panicked.Do(func() { panicValue = v })
				}
			}()
			out[i] = f.runOne(pctx, req, id)
		})
	}
	wg.Wait()
	if panicValue != nil {
		// Raised again on the invocation's goroutine, where the function's
		// wrapper reports it, rather than killing the process from a
		// worker.
		panic(panicValue)
	}
	return out
}

// share is the context of the next PBX, pending PBXs (it included) not
// started yet: its deadline gives it its share of the time until stopAt.
func (f *Fleet) share(ctx context.Context, stopAt time.Time, pending int) (context.Context, context.CancelFunc) {
	if stopAt.IsZero() {
		return context.WithCancel(ctx)
	}
	left := stopAt.Sub(f.opts.Now())
	if pending > f.opts.Concurrency {
		left = left * time.Duration(f.opts.Concurrency) / time.Duration(pending)
	}
	return context.WithDeadline(ctx, f.opts.Now().Add(left))
}

// runOne reconciles one PBX; its Result names it.
func (f *Fleet) runOne(ctx context.Context, req Request, id string) pbxRun {
	r, ok, err := f.pbxs.Runner(ctx, id)
	if err == nil && !ok {
		err = notConfigured(id) // removed from the registry since it was listed
	}
	var res Result
	if err == nil {
		req.PBX = id
		res, err = r.Run(ctx, req)
	}
	if res.Window == (Window{}) {
		res.Window = req.Window
	}
	res.PBX, res.Failed = id, err != nil
	if err != nil {
		err = fmt.Errorf("PBX %s: %w", id, err)
		res.err = err
	}
	return pbxRun{res: res, err: err}
}

// fleetResult sums the PBXs' results: counts over each PBX's own and
// continued windows, Complete when every PBX completed, and the PBXs in
// id order.
func fleetResult(w Window, runs []pbxRun) (Result, error) {
	res := Result{Window: w, Complete: true}
	var errs []error
	saved := true
	for _, r := range runs {
		p := r.res
		for _, part := range append([]Result{p}, p.Continued...) {
			res.add(part)
		}
		res.Complete = res.Complete && p.Complete && r.err == nil
		res.StateReset = joinReason(res.StateReset, p.PBX, p.StateReset)
		res.ClockWarning = joinReason(res.ClockWarning, p.PBX, p.ClockWarning)
		res.PBXs = append(res.PBXs, p)
		if r.err != nil {
			errs = append(errs, r.err)
			var inc *IncompleteError
			saved = saved && errors.As(r.err, &inc) && inc.Saved
		}
	}
	slices.SortFunc(res.PBXs, func(a, b Result) int { return strings.Compare(a.PBX, b.PBX) })
	if len(errs) == 0 {
		return res, nil
	}
	return res, &IncompleteError{Result: res, Saved: saved, Err: errors.Join(errs...)}
}

// add counts o's recordings and pages into r.
func (r *Result) add(o Result) {
	r.Listed += o.Listed
	r.AlreadyStored += o.AlreadyStored
	r.Queued += o.Queued
	r.SkippedRecentlyQueued += o.SkippedRecentlyQueued
	r.Lost += o.Lost
	r.NotDue += o.NotDue
	r.Invalid += o.Invalid
	r.Pages += o.Pages
}

// joinReason adds PBX id's reason, if any, to the reasons of the PBXs
// before it.
func joinReason(reasons, id, reason string) string {
	if reason == "" {
		return reasons
	}
	if reasons != "" {
		reasons += "; "
	}
	return reasons + "PBX " + id + ": " + reason
}
