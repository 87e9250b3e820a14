package copyhandler

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/recording-sync/recording-sync/pkg/copier"
	"github.com/recording-sync/recording-sync/pkg/s3store"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// busyPBX answers recording/download with 70082 (busy) for the ids in
// busyUntil until that time (zero: for ever), then with then[id] if set,
// and serves every other recording's download in slow[id]. It is the PBX
// of every id.
type busyPBX struct {
	busyUntil map[int64]time.Time
	then      map[int64]error
	slow      map[int64]time.Duration

	mu    sync.Mutex
	links map[int64]int
}

func (p *busyPBX) RecordingDownloadLink(_ context.Context, q yeastar.RecordingQuery) (yeastar.DownloadLink, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.links[q.ID]++
	if until, busy := p.busyUntil[q.ID]; busy && (until.IsZero() || time.Now().Before(until)) {
		return yeastar.DownloadLink{}, &yeastar.APIError{Op: "recording/download", Code: yeastar.CodeOverloadTask}
	}
	if err := p.then[q.ID]; err != nil {
		return yeastar.DownloadLink{}, err
	}
	return yeastar.DownloadLink{File: fmt.Sprintf("20220412173331-%d.wav", q.ID), ResourceURL: fmt.Sprint(q.ID)}, nil
}

func (p *busyPBX) Download(ctx context.Context, resourceURL string, _ int64) (*yeastar.Download, error) {
	id, err := strconv.ParseInt(resourceURL, 10, 64)
	if err != nil {
		return nil, err
	}
	select {
	case <-time.After(p.slow[id]):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	const body = "RIFF recording"
	return &yeastar.Download{Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Size: int64(len(body))}, nil
}

// discardStore stores nothing and has nothing stored.
type discardStore struct{}

func (discardStore) Exists(context.Context, string, string) (bool, int64, error) {
	return false, 0, nil
}

func (discardStore) Upload(_ context.Context, obj s3store.Object, body io.Reader) (s3store.Result, error) {
	n, err := io.Copy(io.Discard, body)
	return s3store.Result{Bucket: obj.Bucket, Key: obj.Key, Size: n}, err
}

// returned is a message handed back.
type returned struct {
	handle string
	after  time.Duration
}

// fakeReturner takes messages of queue back, or fails with err.
type fakeReturner struct {
	queue string
	err   error

	mu  sync.Mutex
	got []returned
}

func (r *fakeReturner) Queue() string { return r.queue }

func (r *fakeReturner) Return(_ context.Context, handle string, d time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, returned{handle, d})
	return r.err
}

// PBX implements copier.PBXs: p serves every PBX.
func (p *busyPBX) PBX(context.Context, string) (copier.PBX, error) { return p, nil }
