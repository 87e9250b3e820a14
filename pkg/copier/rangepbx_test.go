package copier

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/s3store"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// errBlock makes a fake download body block until its request is
// cancelled: a stalled connection.
var errBlock = errors.New("block until the request is cancelled")

// step is how the fake PBX answers one Download call.
type step struct {
	err         error // answered instead of a download
	stallOpen   bool  // answer nothing until the request is cancelled
	stop        int64 // with end: the body ends at this byte of the recording
	end         error // nil (whole body), io.ErrUnexpectedEOF (drop), io.EOF (early end) or errBlock (stall)
	ignoreRange bool  // answer the whole recording from byte 0, as a 200 to a Range request
	size        int64 // answer this recording size instead of the real one
}

// rangePBX serves a deterministic recording from any offset, as a 206
// answer would, and answers its calls from scripts: linkErrs and steps are
// used one per call, then linkErr and plain downloads forever.
type rangePBX struct {
	t    *testing.T
	data []byte
	file string

	linkErrs []error
	linkErr  error
	links    int // RecordingDownloadLink calls

	steps   []step
	offsets []int64  // of every Download call
	urls    []string // of every Download call
	bodies  []*rangeBody
}

func newRangePBX(t *testing.T, size int) *rangePBX {
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i*7 + i>>8)
	}
	return &rangePBX{t: t, data: data, file: pbxName}
}

// linkURL is the ResourceURL of the nth link given out.
func linkURL(n int) string { return fmt.Sprintf("/api/v2.0.0/recording/download?file=abc&link=%d", n) }

func (p *rangePBX) RecordingDownloadLink(ctx context.Context, q yeastar.RecordingQuery) (yeastar.DownloadLink, error) {
	p.links++
	err := p.linkErr
	if p.links <= len(p.linkErrs) {
		err = p.linkErrs[p.links-1]
	}
	if err != nil {
		return yeastar.DownloadLink{}, err
	}
	return yeastar.DownloadLink{File: p.file, ResourceURL: linkURL(p.links)}, nil
}

func (p *rangePBX) Download(ctx context.Context, resourceURL string, offset int64) (*yeastar.Download, error) {
	var s step
	if i := len(p.offsets); i < len(p.steps) {
		s = p.steps[i]
	}
	p.offsets = append(p.offsets, offset)
	p.urls = append(p.urls, resourceURL)
	if s.err != nil {
		return nil, s.err
	}
	if s.stallOpen {
		// Headers came, then nothing: the client blocks sniffing the body.
		<-ctx.Done()
		return nil, fmt.Errorf("yeastar download: read body: %w", ctx.Err())
	}
	start, stop, end := offset, int64(len(p.data)), io.EOF
	if s.ignoreRange {
		start = 0
	}
	if s.end != nil {
		stop, end = s.stop, s.end
	}
	if stop < start {
		p.t.Fatalf("test setup: step %+v stops at %d, before the offset %d", s, stop, start)
	}
	size := int64(len(p.data))
	if s.size > 0 {
		size = s.size
	}
	body := &rangeBody{ctx: ctx, data: p.data[start:stop], end: end}
	p.bodies = append(p.bodies, body)
	return &yeastar.Download{Body: body, Offset: start, Size: size, ContentLength: size - start, ContentType: "audio/x-wav"}, nil
}

// checkClosed fails the test unless every body returned was closed once.
func (p *rangePBX) checkClosed() {
	p.t.Helper()
	for i, b := range p.bodies {
		if b.closes != 1 {
			p.t.Errorf("download body %d closed %d times, want once", i, b.closes)
		}
	}
}

// rangeBody delivers data in network-sized chunks, then ends with end.
type rangeBody struct {
	ctx    context.Context // of the request: cancelling it breaks the body
	data   []byte
	end    error
	closes int
}

func (b *rangeBody) Read(p []byte) (int, error) {
	if b.closes > 0 {
		return 0, errors.New("read after close")
	}
	if err := b.ctx.Err(); err != nil {
		return 0, err
	}
	if len(b.data) == 0 {
		if errors.Is(b.end, errBlock) {
			<-b.ctx.Done()
			return 0, b.ctx.Err()
		}
		return 0, b.end
	}
	n := copy(p[:min(len(p), 4096)], b.data)
	b.data = b.data[n:]
	return n, nil
}

func (b *rangeBody) Close() error { b.closes++; return nil }

// upload is what hashStore received in one Upload.
type upload struct {
	obj s3store.Object
	sum [sha256.Size]byte
	n   int64
	err error // what Upload returned
}

// hashStore keeps no object: Upload reads the body fully into a hash, so
// the bytes stored can be compared with the recording's.
type hashStore struct {
	pause      time.Duration // between reads of the body: a slow part upload
	block      bool          // Upload waits until its context is done
	existsErrs []error       // answers of successive Exists calls, then nil
	uploadErrs []error       // answers of successive Uploads once the body is read, then nil
	exists     int           // Exists calls
	uploads    []upload
}

func (s *hashStore) Exists(ctx context.Context, bucket, key string) (bool, int64, error) {
	s.exists++
	if s.exists <= len(s.existsErrs) {
		return false, 0, s.existsErrs[s.exists-1]
	}
	return false, 0, nil
}

func (s *hashStore) Upload(ctx context.Context, obj s3store.Object, body io.Reader) (s3store.Result, error) {
	u := upload{obj: obj}
	defer func() { s.uploads = append(s.uploads, u) }()
	if s.block {
		<-ctx.Done()
		u.err = fmt.Errorf("s3 upload: %w", ctx.Err())
		return s3store.Result{}, u.err
	}
	if s.pause > 0 {
		body = &slowReader{r: body, pause: s.pause}
	}
	h := sha256.New()
	u.n, u.err = io.Copy(h, body)
	copy(u.sum[:], h.Sum(nil))
	if u.err == nil && obj.Size >= 0 && u.n != obj.Size { // -1: unknown, the body decides
		u.err = &s3store.SizeError{Want: obj.Size, Got: u.n}
	}
	if u.err == nil && len(s.uploads) < len(s.uploadErrs) {
		u.err = s.uploadErrs[len(s.uploads)]
	}
	if u.err != nil {
		return s3store.Result{}, u.err
	}
	return s3store.Result{Bucket: obj.Bucket, Key: obj.Key, Size: u.n}, nil
}

// slowReader waits before every Read but the first.
type slowReader struct {
	r     io.Reader
	pause time.Duration
	reads int
}

func (s *slowReader) Read(p []byte) (int, error) {
	if s.reads > 0 {
		time.Sleep(s.pause)
	}
	s.reads++
	return s.r.Read(p[:min(len(p), 4096)])
}

// testOptions are quick policies: 1ms backoffs, no stall unless a test
// lowers StallTimeout.
func testOptions() Options {
	return Options{
		TransientRetry:       recording.RetryPolicy{Attempts: 2, Base: time.Millisecond, Max: time.Millisecond},
		NotYetAvailableRetry: recording.RetryPolicy{Attempts: 2, Base: time.Millisecond, Max: time.Millisecond},
		MaxResumes:           5,
		StallTimeout:         time.Minute,
	}
}

func newTestCopier(t *testing.T, pbx PBX, store Store, opts Options) *Copier {
	t.Helper()
	keys, err := recording.ParseKeyTemplate("")
	if err != nil {
		t.Fatal(err)
	}
	return NewCopier(pbx, store, bucket, keys, &opts)
}
