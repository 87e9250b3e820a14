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
// and serves every other recording's download in slow[id]. The ids in
// mp3 are .mp3s, which it refuses (70082) while another download is
// served, as a PBX with the .mp3 download format does. It is the PBX of
// every id.
type busyPBX struct {
	busyUntil map[int64]time.Time
	then      map[int64]error
	slow      map[int64]time.Duration
	mp3       map[int64]bool

	mu      sync.Mutex
	links   map[int64]int
	active  int // downloads being served
	refused int // .mp3s refused while another download was served
}

func (p *busyPBX) RecordingDownloadLink(_ context.Context, q yeastar.RecordingQuery) (yeastar.DownloadLink, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.links[q.ID]++
	busy := &yeastar.APIError{Op: "recording/download", Code: yeastar.CodeOverloadTask}
	if until, ok := p.busyUntil[q.ID]; ok && (until.IsZero() || time.Now().Before(until)) {
		return yeastar.DownloadLink{}, busy
	}
	if p.mp3[q.ID] && p.active > 0 {
		p.refused++
		return yeastar.DownloadLink{}, busy
	}
	if err := p.then[q.ID]; err != nil {
		return yeastar.DownloadLink{}, err
	}
	ext := ".wav"
	if p.mp3[q.ID] {
		ext = ".mp3"
	}
	return yeastar.DownloadLink{File: fmt.Sprintf("20220412173331-%d%s", q.ID, ext), ResourceURL: fmt.Sprint(q.ID)}, nil
}

func (p *busyPBX) Download(ctx context.Context, resourceURL string, _ int64) (*yeastar.Download, error) {
	id, err := strconv.ParseInt(resourceURL, 10, 64)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.active++
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.active--
		p.mu.Unlock()
	}()
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

	mu   sync.Mutex
	got  []returned
	last time.Time // when the last was handed back
}

func (r *fakeReturner) Queue() string { return r.queue }

func (r *fakeReturner) Return(_ context.Context, handle string, d time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, returned{handle, d})
	r.last = time.Now()
	return r.err
}

// PBX implements copier.PBXs: p serves every PBX.
func (p *busyPBX) PBX(context.Context, string) (copier.PBX, error) { return p, nil }
