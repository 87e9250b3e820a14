package reconcile_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/pkg/reconcile"
	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// hangingPBX serves pages of 10 recordings, made before synctest's clock
// starts (so due), and hangs on page hangOn until
// the request's context ends, like a PBX that stopped answering.
type hangingPBX struct {
	total, hangOn int
}

func (p hangingPBX) SearchRecordings(ctx context.Context, q yeastar.SearchQuery) (yeastar.SearchPage, error) {
	if q.Page == p.hangOn {
		<-ctx.Done()
		return yeastar.SearchPage{}, ctx.Err()
	}
	page := yeastar.SearchPage{Total: p.total}
	for i := (q.Page - 1) * 10; i < min(q.Page*10, p.total); i++ {
		page.Items = append(page.Items, yeastar.SearchItem{ID: int64(i + 1), File: "19991231000000-" + strconv.Itoa(i) + ".wav"})
	}
	return page, nil
}

// emptyBucket lists nothing: every recording is missing.
type emptyBucket struct{}

func (emptyBucket) ListObjectsV2(context.Context, *s3.ListObjectsV2Input, ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	return &s3.ListObjectsV2Output{}, nil
}

func (emptyBucket) HeadObject(context.Context, *s3.HeadObjectInput, ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	panic("no HEAD expected")
}

// memState is a StateStore in memory, versioned like the S3 one.
type memState struct {
	mu      sync.Mutex
	st      reconcile.State
	version int
}

func (m *memState) Load(context.Context) (reconcile.State, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.version == 0 {
		return reconcile.State{}, "", nil
	}
	return m.st, strconv.Itoa(m.version), nil
}

func (m *memState) Save(_ context.Context, st reconcile.State, prev string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if prev != "" && prev != strconv.Itoa(m.version) || prev == "" && m.version != 0 {
		return "", reconcile.ErrConflict
	}
	m.st, m.version = st, m.version+1
	return strconv.Itoa(m.version), nil
}

// A request that hangs stops the run at its stop time, before the
// invocation's deadline: the cursor is saved, the run is incomplete but not
// failed, and the next run continues from it. Time is synctest's.
func TestHungRequestStopsTheRunBeforeTheDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		keys, _ := recording.ParseKeyTemplate("")
		state, queue := &memState{}, newQueue()
		run := func(pbx reconcile.PBX) (reconcile.Result, error) {
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			r := reconcile.New(pbx, emptyBucket{}, "b", keys, queue, state, nil)
			res, err := r.Run(ctx, window(t, time.Unix(1_767_225_600, 0), time.Unix(1_767_312_000, 0)))
			if ctx.Err() != nil {
				t.Errorf("the run answered after the invocation's deadline")
			}
			return res, err
		}
		start := time.Now()
		res, err := run(hangingPBX{total: 50, hangOn: 3})
		if err != nil || res.Complete || res.Cursor == nil || res.Cursor.Page != 2 || res.Queued != 20 {
			t.Fatalf("run with a hung request: %+v %v, want incomplete after page 2", res, err)
		}
		if took := time.Since(start); took < 50*time.Second || took >= time.Minute {
			t.Errorf("stopped after %v: want at the stop time, a reserve before the 1m deadline", took)
		}
		res, err = run(hangingPBX{total: 50})
		if err != nil || !res.Complete || res.Queued != 30 {
			t.Fatalf("next run: %+v %v, want the remaining 30", res, err)
		}
		assertQueuedOnce(t, queue, func() []int64 {
			var ids []int64
			for i := range 50 {
				ids = append(ids, int64(i+1))
			}
			return ids
		}())
	})
}
