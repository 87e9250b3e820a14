package reconcile_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/clocktest"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"

	"github.com/recording-sync/recording-sync/internal/localenv/localenvtest"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/reconcile"
	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/sealedobj"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// The S3 server is shared by all tests of the binary.
var server localenvtest.Server

func TestMain(m *testing.M) {
	code := m.Run()
	server.Close(code != 0)
	os.Exit(code)
}

const (
	clientID     = "reconcile-client"
	clientSecret = "reconcile-secret-9b1c"
	stateKey     = ".recording-sync/reconcile-state.json"
)

// pbxZone is the PBX's time zone in these tests: its local dates, which
// the keys use, differ from UTC dates for eight hours of every day.
var pbxZone = time.FixedZone("PBX", 8*3600)

// fakeClock is the reconciler's clock; the ctx deadline stays real.
type fakeClock = clocktest.Clock

func newClock() *fakeClock { return clocktest.New(time.Now()) }

// fixedClock tells the reconciler the simulated PBX's clock, as its
// system/information would.
type fixedClock struct{ c reconcile.PBXClock }

func (f fixedClock) PBXClock(context.Context) (reconcile.PBXClock, error) { return f.c, nil }

// counting is the S3 client of the code under test: it counts requests by
// operation. uncounted is the same server's client without the count, for
// the tests' own requests.
type counting struct {
	*s3.Client
	uncounted *s3.Client
	mu        sync.Mutex
	n         map[string]int
}

func newCounting(client *s3.Client) *counting {
	c := &counting{uncounted: client, n: map[string]int{}}
	c.Client = s3.New(client.Options(), func(o *s3.Options) { o.APIOptions = append(o.APIOptions, c.addCount) })
	return c
}

// addCount counts each call of an operation once, however often it is
// retried.
func (c *counting) addCount(st *middleware.Stack) error {
	return st.Initialize.Add(middleware.InitializeMiddlewareFunc("CountRequests",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			c.count(middleware.GetOperationName(ctx))
			return next.HandleInitialize(ctx, in)
		}), middleware.Before)
}

func (c *counting) count(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[op]++
}

func (c *counting) counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.n {
		out[k] = v
	}
	return out
}

func (c *counting) total() int {
	n := 0
	for _, v := range c.counts() {
		n += v
	}
	return n
}

// memQueue records what is queued. failIndex, when >= 0, makes the next
// batch refuse that entry; failAll makes the next call fail outright.
type memQueue struct {
	mu        sync.Mutex
	items     []yeastar.SearchItem
	calls     int
	failIndex int
	failAll   bool
}

func newQueue() *memQueue { return &memQueue{failIndex: -1} }

func (q *memQueue) Enqueue(_ context.Context, items []yeastar.SearchItem) ([]int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.calls++
	if len(items) > reconcile.MaxBatch {
		return nil, fmt.Errorf("batch of %d", len(items))
	}
	if q.failAll {
		q.failAll = false
		return nil, fmt.Errorf("queue unreachable")
	}
	var failed []int
	for i, it := range items {
		if i == q.failIndex {
			failed = append(failed, i)
			continue
		}
		q.items = append(q.items, it)
	}
	q.failIndex = -1
	return failed, nil
}

// ids returns the IDs queued so far, in order.
func (q *memQueue) ids() []int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]int64, len(q.items))
	for i, it := range q.items {
		out[i] = it.ID
	}
	return out
}

// env is one PBX, one bucket and one queue.
type env struct {
	t      *testing.T
	sim    *yeastartest.Simulator
	pbx    *yeastar.Client
	s3     *counting
	bucket string
	keys   recording.KeyTemplate
	queue  *memQueue
	clock  *fakeClock
	opts   reconcile.Options
}

func newEnv(t *testing.T, simOpts yeastartest.Options) *env {
	t.Helper()
	simOpts.ClientID, simOpts.ClientSecret = clientID, clientSecret
	if simOpts.TimeZone == nil {
		simOpts.TimeZone = pbxZone
	}
	sim := yeastartest.NewServer(simOpts)
	t.Cleanup(sim.Close)
	pbx, err := yeastar.NewStandalone(sim.URL(), yeastar.Credentials{ClientID: clientID, ClientSecret: clientSecret}, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{
		t: t, sim: sim, pbx: pbx, bucket: server.NewBucket(t),
		s3: newCounting(server.Client(t)), queue: newQueue(), clock: newClock(),
	}
	e.keys, _ = recording.ParseKeyTemplate("")
	e.opts = reconcile.Options{
		Now:            e.clock.Now,
		Clock:          fixedClock{reconcile.PBXClock{Zone: simOpts.TimeZone, DateFormat: "MM/DD/YYYY"}},
		TransientRetry: recording.RetryPolicy{Attempts: 5, Base: time.Millisecond, Max: 4 * time.Millisecond},
		BusyRetry:      recording.RetryPolicy{Attempts: 5, Base: time.Millisecond, Max: 4 * time.Millisecond},
	}
	return e
}

// reconciler returns a reconciler of the env with its options.
func (e *env) reconciler(pbx reconcile.PBX) *reconcile.Reconciler {
	if pbx == nil {
		pbx = e.pbx
	}
	o := e.opts
	return reconcile.New(pbx, e.s3, e.bucket, e.keys, e.queue, e.stateStore(), &o)
}

// stateStore is the env's state object, sealed as the deployed functions
// seal it.
func (e *env) stateStore() *reconcile.S3StateStore {
	e.t.Helper()
	return mustStateStore(e.t, e.s3, e.bucket, stateKey, clientSecret)
}

// mustStateStore is the state store of s3://bucket/key sealed under secret.
func mustStateStore(t *testing.T, client sealedobj.API, bucket, key, secret string) *reconcile.S3StateStore {
	t.Helper()
	s, err := reconcile.NewS3StateStore(client, bucket, key, secret)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fileAt is the PBX's file name of a recording made at t.
func fileAt(t time.Time, id int) string {
	return fmt.Sprintf("%s-%d.%d-2001-2002-Inbound.wav", t.In(pbxZone).Format("20060102150405"), 1700000000+id, id%100)
}

// add makes n recordings, one every step from start, IDs from firstID;
// stored says which (by index) are already in the bucket.
func (e *env) add(start time.Time, step time.Duration, firstID, n int, stored func(i int) bool) []yeastartest.Recording {
	e.t.Helper()
	recs := make([]yeastartest.Recording, n)
	var keys []string
	for i := range n {
		at := start.Add(time.Duration(i) * step)
		recs[i] = yeastartest.Recording{ID: firstID + i, File: fileAt(at, firstID+i), Size: 8, CallFrom: "2001", CallTo: "2002", CallType: "Inbound", UID: fmt.Sprintf("uid-%d", firstID+i)}
		e.sim.AddRecording(recs[i])
		if stored != nil && stored(i) {
			key, err := e.keys.Key(recs[i].File, int64(recs[i].ID))
			if err != nil {
				e.t.Fatal(err)
			}
			keys = append(keys, key)
		}
	}
	e.store(keys)
	return recs
}

// store puts small objects at keys.
func (e *env) store(keys []string) {
	e.t.Helper()
	localenvtest.PutObjects(e.t, e.s3.uncounted, e.bucket, keys)
}

// ids returns the IDs of recs picked by pick, in order.
func ids(recs []yeastartest.Recording, pick func(i int) bool) []int64 {
	var out []int64
	for i, r := range recs {
		if pick(i) {
			out = append(out, int64(r.ID))
		}
	}
	return out
}

// assertQueuedOnce checks that the queue holds exactly want, each once.
func assertQueuedOnce(t *testing.T, q *memQueue, want []int64) {
	t.Helper()
	got := q.ids()
	sorted := slices.Sorted(slices.Values(got))
	if len(slices.Compact(slices.Clone(sorted))) != len(got) {
		t.Errorf("a recording was queued twice: %v", got)
	}
	if !slices.Equal(sorted, want) {
		t.Errorf("queued %d recordings %v..., want %d %v...", len(got), head(sorted), len(want), head(want))
	}
}

func head(v []int64) []int64 { return v[:min(len(v), 8)] }
