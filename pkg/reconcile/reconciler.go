package reconcile

import (
	"context"
	"time"

	"github.com/recording-sync/recording-sync/internal/opt"
	"github.com/recording-sync/recording-sync/pkg/copier"
	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// PBX is what the reconciler needs from the PBX client.
type PBX interface {
	SearchRecordings(ctx context.Context, q yeastar.SearchQuery) (yeastar.SearchPage, error)
}

// Queue hands recordings to the copy function, at most MaxBatch per call
// (one SendMessageBatch). It returns the indexes of the items that were not
// queued; err is set when nothing is known to be queued.
type Queue interface {
	Enqueue(ctx context.Context, items []yeastar.SearchItem) (failed []int, err error)
}

// MaxBatch is the most messages one SendMessageBatch carries.
const MaxBatch = 10

// StateStore keeps the State with versioned, conditional writes.
type StateStore interface {
	// Load reads the state and its version ("" = none yet). A state that
	// does not open is an error matching *sealedobj.UnreadableError, with
	// its version: the run starts afresh and says why.
	Load(ctx context.Context) (State, string, error)
	// Save writes st if the stored version is still prev ("" = none yet);
	// otherwise it fails with an error matching ErrConflict.
	Save(ctx context.Context, st State, prev string) (string, error)
}

var (
	_ PBX        = (*yeastar.Client)(nil)
	_ StateStore = (*S3StateStore)(nil)
)

// Defaults of Options.
const (
	DefaultPageSize     = 100
	DefaultRequeueAfter = 6 * time.Hour
	DefaultSaveEvery    = 25
	// DefaultMaxPages and DefaultMaxQueued bound one run against a PBX
	// that pages wrong, generously for 100,000 recordings a day: a 26-hour
	// window of them is about 1,100 pages of 100.
	DefaultMaxPages  = 10_000
	DefaultMaxQueued = 150_000
)

// Options hold the optional settings of a Reconciler.
type Options struct {
	// PageSize is the page_size asked of the PBX (default 100); the PBX
	// may serve fewer.
	PageSize int
	// RequeueAfter is how long a queued recording is not queued again
	// (default 6h).
	RequeueAfter time.Duration
	// SaveEvery is how many pages a run handles between state saves
	// (default 25); a run also saves when it stops.
	SaveEvery int
	// TransientRetry and BusyRetry bound the retries of a failed search,
	// as the copy function's (copier.DefaultTransientRetry and
	// DefaultBusyRetry by default).
	TransientRetry, BusyRetry recording.RetryPolicy
	// Settle is how long after its call ended a recording becomes due: a
	// run neither queues nor counts one that ended less than Settle ago,
	// its copy may be on its way (the function sets RECONCILE_SETTLE).
	Settle time.Duration
	// Clock tells the PBX's zone and date format, once per run (nil:
	// DefaultPBXClock).
	Clock ClockSource
	// MaxPages and MaxQueued bound the searches and the messages of one
	// run (defaults DefaultMaxPages, DefaultMaxQueued): a run that reaches
	// either fails with a *PagingError, its cursor saved.
	MaxPages, MaxQueued int
	// Now is the clock (default time.Now).
	Now func() time.Time
	// OnPage, when set, is told about every page done.
	OnPage func(context.Context, Progress)
}

func (o Options) withDefaults() Options {
	o.PageSize = opt.Positive(o.PageSize, DefaultPageSize)
	o.RequeueAfter = opt.Positive(o.RequeueAfter, DefaultRequeueAfter)
	o.SaveEvery = opt.Positive(o.SaveEvery, DefaultSaveEvery)
	if o.TransientRetry.Attempts <= 0 {
		o.TransientRetry = copier.DefaultTransientRetry
	}
	if o.BusyRetry.Attempts <= 0 {
		o.BusyRetry = copier.DefaultBusyRetry
	}
	o.MaxPages = opt.Positive(o.MaxPages, DefaultMaxPages)
	o.MaxQueued = opt.Positive(o.MaxQueued, DefaultMaxQueued)
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.OnPage == nil {
		o.OnPage = func(context.Context, Progress) {}
	}
	return o
}

// Reconciler finds the recordings of one PBX that one bucket lacks and
// queues them.
type Reconciler struct {
	pbx    PBX
	bucket BucketAPI
	name   string
	keys   recording.KeyTemplate
	queue  Queue
	state  StateStore
	opts   Options
}

// New returns a Reconciler checking bucketName under keys (the copy
// function's template) and keeping its cursor in state.
func New(pbx PBX, bucket BucketAPI, bucketName string, keys recording.KeyTemplate, queue Queue, state StateStore, opts *Options) *Reconciler {
	var o Options
	if opts != nil {
		o = *opts
	}
	return &Reconciler{pbx: pbx, bucket: bucket, name: bucketName, keys: keys, queue: queue, state: state, opts: o.withDefaults()}
}

// reserveFor is how long before ctx's deadline a run stops taking pages,
// to save its cursor and answer: a tenth of the time left, 2 to 15 seconds.
func reserveFor(ctx context.Context, now time.Time) time.Duration {
	deadline, ok := ctx.Deadline()
	if !ok {
		return 0
	}
	return min(max(deadline.Sub(now)/10, 2*time.Second), 15*time.Second)
}
