package copier

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
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

const resumeSize = 200_000

func TestCopyResumes(t *testing.T) {
	drop := io.ErrUnexpectedEOF
	expired := &yeastar.APIError{Op: "download", Code: yeastar.CodeTokenExpired, Message: "TOKEN EXPIRED"}
	tests := []struct {
		name        string
		opts        func(*Options)
		steps       []step
		wantOffsets []int64
		wantURLs    []int // link numbers of the Downloads' URLs
		wantErr     string
		wantClass   class // of the error; "" means retryable
		wantUploads int
		wantResumes int // recording.Result.Resumes, over every attempt
	}{
		{
			name:        "drops at three points",
			steps:       []step{{stop: 10_000, end: drop}, {stop: 90_000, end: drop}, {stop: 150_001, end: drop}},
			wantOffsets: []int64{0, 10_000, 90_000, 150_001},
			wantURLs:    []int{1, 1, 1, 1},
			wantUploads: 1,
			wantResumes: 3,
		},
		{
			name:        "drop in the first chunk",
			steps:       []step{{stop: 1, end: drop}},
			wantOffsets: []int64{0, 1},
			wantURLs:    []int{1, 1},
			wantUploads: 1,
			wantResumes: 1,
		},
		{
			name:        "early clean EOF",
			steps:       []step{{stop: 77_777, end: io.EOF}},
			wantOffsets: []int64{0, 77_777},
			wantURLs:    []int{1, 1},
			wantUploads: 1,
			wantResumes: 1,
		},
		{
			name:        "stall",
			opts:        func(o *Options) { o.StallTimeout = 50 * time.Millisecond },
			steps:       []step{{stop: 3 * 4096, end: errBlock}},
			wantOffsets: []int64{0, 3 * 4096},
			wantURLs:    []int{1, 1},
			wantUploads: 1,
			wantResumes: 1,
		},
		{
			name:        "stall before the first byte",
			opts:        func(o *Options) { o.StallTimeout = 50 * time.Millisecond },
			steps:       []step{{stop: 0, end: errBlock}},
			wantOffsets: []int64{0, 0},
			wantURLs:    []int{1, 1},
			wantUploads: 1,
			wantResumes: 1,
		},
		{
			name:        "stall opening the resumed download",
			opts:        func(o *Options) { o.StallTimeout = 50 * time.Millisecond },
			steps:       []step{{stop: 5000, end: drop}, {stallOpen: true}},
			wantOffsets: []int64{0, 5000, 5000},
			wantURLs:    []int{1, 1, 1},
			wantUploads: 1,
			wantResumes: 2,
		},
		{
			// The copy is retried as a whole: nothing was uploaded yet.
			name:        "stall opening the download",
			opts:        func(o *Options) { o.StallTimeout = 50 * time.Millisecond },
			steps:       []step{{stallOpen: true}},
			wantOffsets: []int64{0, 0},
			wantURLs:    []int{1, 2},
			wantUploads: 1,
			wantResumes: 0,
		},
		{
			name:        "transient errors on reopen",
			steps:       []step{{stop: 5000, end: drop}, {err: &yeastar.HTTPError{Op: "download", StatusCode: 503}}, {err: errors.New("connection refused")}},
			wantOffsets: []int64{0, 5000, 5000, 5000},
			wantURLs:    []int{1, 1, 1, 1},
			wantUploads: 1,
			wantResumes: 3,
		},
		{
			// The link expired: a new one is asked for and the download
			// continues where it was, through the new link from then on.
			name:        "10004 on reopen",
			steps:       []step{{stop: 5000, end: drop}, {err: expired}, {stop: 9000, end: drop}},
			wantOffsets: []int64{0, 5000, 5000, 9000},
			wantURLs:    []int{1, 1, 2, 2},
			wantUploads: 1,
			wantResumes: 2,
		},
		{
			// Within one attempt: a retry of the whole copy would ask for
			// a new link too.
			name:        "10004 on the first open",
			opts:        func(o *Options) { o.TransientRetry.Attempts = 1 },
			steps:       []step{{err: expired}},
			wantOffsets: []int64{0, 0},
			wantURLs:    []int{1, 2},
			wantUploads: 1,
			wantResumes: 0,
		},
		{
			// The upload cannot rewind: it fails, and the next attempt
			// starts over from byte 0.
			name:        "Range ignored",
			steps:       []step{{stop: 5000, end: drop}, {ignoreRange: true}},
			wantOffsets: []int64{0, 5000, 0},
			wantURLs:    []int{1, 1, 2},
			wantUploads: 2,
			wantResumes: 1,
		},
		{
			name: "drops beyond MaxResumes",
			opts: func(o *Options) { o.MaxResumes, o.TransientRetry.Attempts = 2, 1 },
			steps: []step{
				{stop: 1000, end: drop}, {stop: 2000, end: drop}, {stop: 3000, end: drop},
			},
			wantOffsets: []int64{0, 1000, 2000},
			wantURLs:    []int{1, 1, 1},
			wantErr:     "download dropped at byte 3000",
			wantUploads: 1,
			wantResumes: 2,
		},
		{
			name: "stalls beyond MaxResumes",
			opts: func(o *Options) {
				o.MaxResumes, o.TransientRetry.Attempts, o.StallTimeout = 1, 1, 50*time.Millisecond
			},
			steps:       []step{{stop: 100, end: errBlock}, {stop: 200, end: errBlock}},
			wantOffsets: []int64{0, 100},
			wantURLs:    []int{1, 1},
			wantErr:     "download stalled",
			wantUploads: 1,
			wantResumes: 1,
		},
		{
			name:        "transient reopen errors beyond MaxResumes",
			opts:        func(o *Options) { o.MaxResumes, o.TransientRetry.Attempts = 2, 1 },
			steps:       []step{{stop: 1000, end: drop}, {err: errors.New("connection refused")}, {err: errors.New("connection refused")}},
			wantOffsets: []int64{0, 1000, 1000},
			wantURLs:    []int{1, 1, 1},
			wantErr:     "resume download at byte 1000",
			wantUploads: 1,
			wantResumes: 2,
		},
		{
			name:        "permanent error on reopen",
			steps:       []step{{stop: 1000, end: drop}, {err: &yeastar.APIError{Op: "download", Code: yeastar.CodeIPForbidden}}},
			wantOffsets: []int64{0, 1000},
			wantURLs:    []int{1, 1},
			wantErr:     "errcode 70087",
			wantClass:   permanent,
			wantUploads: 1,
			wantResumes: 1,
		},
		{
			name:        "size changed on reopen",
			opts:        func(o *Options) { o.TransientRetry.Attempts = 1 },
			steps:       []step{{stop: 5000, end: drop}, {size: resumeSize + 1}},
			wantOffsets: []int64{0, 5000},
			wantURLs:    []int{1, 1},
			wantErr:     "the PBX answered byte 5000 of 200001",
			wantUploads: 1,
			wantResumes: 1,
		},
	}
	for _, tt := range tests {
		// In a bubble: the stall timeouts fire on its fake clock.
		t.Run(tt.name, bubble(func(t *testing.T) {
			p := newRangePBX(t, resumeSize)
			p.steps = tt.steps
			s := &hashStore{}
			opts := testOptions()
			if tt.opts != nil {
				tt.opts(&opts)
			}
			// A deadline, so that a stall nobody notices fails the test
			// instead of hanging it.
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			res, err := newTestCopier(t, p, s, opts).Copy(ctx, recording.Ref{ID: 1727})

			if !slices.Equal(p.offsets, tt.wantOffsets) {
				t.Errorf("Download offsets = %v, want %v", p.offsets, tt.wantOffsets)
			}
			var wantURLs []string
			for _, n := range tt.wantURLs {
				wantURLs = append(wantURLs, linkURL(n))
			}
			if !slices.Equal(p.urls, wantURLs) {
				t.Errorf("Download URLs = %v, want %v", p.urls, wantURLs)
			}
			if want := tt.wantURLs[len(tt.wantURLs)-1]; p.links != want {
				t.Errorf("RecordingDownloadLink called %d times, want %d", p.links, want)
			}
			p.checkClosed()
			if res.Resumes != tt.wantResumes || res.BusyWaits != 0 {
				t.Errorf("recording.Result.Resumes, BusyWaits = %d, %d; want %d, 0", res.Resumes, res.BusyWaits, tt.wantResumes)
			}
			if len(s.uploads) != tt.wantUploads {
				t.Fatalf("%d uploads, want %d", len(s.uploads), tt.wantUploads)
			}
			for i, u := range s.uploads {
				if u.obj.Size != resumeSize {
					t.Errorf("upload %d announced %d bytes, want %d", i, u.obj.Size, resumeSize)
				}
			}
			last := s.uploads[len(s.uploads)-1]
			if tt.wantErr != "" {
				want := cmp.Or(tt.wantClass, retryable)
				if got := classOf(t, err); got != want {
					t.Errorf("Copy error = %v (%T), want a %s", err, err, want)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("Copy error = %q, want it to mention %q", err, tt.wantErr)
				}
				if last.err == nil {
					t.Errorf("the upload succeeded with %d bytes, want it to fail", last.n)
				}
				return
			}
			if err != nil {
				t.Fatalf("Copy = %v", err)
			}
			if last.err != nil || last.n != resumeSize || last.sum != sha256.Sum256(p.data) {
				t.Errorf("stored %d bytes (err %v), equal to the recording: %v; want all %d", last.n, last.err, last.sum == sha256.Sum256(p.data), resumeSize)
			}
			if res.Bytes != resumeSize || res.AlreadyStored {
				t.Errorf("recording.Result = %+v, want %d bytes copied", res, resumeSize)
			}
			for _, u := range s.uploads[:len(s.uploads)-1] {
				if !errors.Is(u.err, errRangeIgnored) {
					t.Errorf("an earlier upload failed with %v, want %v", u.err, errRangeIgnored)
				}
			}
		}))
	}
}

// The stall watchdog times the PBX only: a consumer slower than the stall
// timeout between reads must not cause resumes.
func TestCopySlowConsumerIsNoStall(t *testing.T) { synctest.Test(t, testCopySlowConsumerIsNoStall) }

func testCopySlowConsumerIsNoStall(t *testing.T) {
	const stall = 50 * time.Millisecond
	p := newRangePBX(t, 5*4096)
	s := &hashStore{pause: 2 * stall}
	opts := testOptions()
	opts.StallTimeout, opts.TransientRetry.Attempts = stall, 1
	if _, err := newTestCopier(t, p, s, opts).Copy(t.Context(), recording.Ref{ID: 1727}); err != nil {
		t.Fatalf("Copy = %v", err)
	}
	if !slices.Equal(p.offsets, []int64{0}) {
		t.Errorf("Download offsets = %v, want [0]: no resume", p.offsets)
	}
	if u := s.uploads[0]; u.n != int64(len(p.data)) || u.sum != sha256.Sum256(p.data) {
		t.Errorf("stored %d bytes, not the recording's %d", u.n, len(p.data))
	}
	p.checkClosed()
}

// resumingReader on its own: it returns the recording's bytes in order and
// counts its resumes.
func TestResumingReader(t *testing.T) {
	p := newRangePBX(t, 50_000)
	p.steps = []step{{stop: 4096, end: io.ErrUnexpectedEOF}, {stop: 4097, end: io.EOF}}
	link := yeastar.DownloadLink{File: pbxName, ResourceURL: linkURL(1)}
	open := func(ctx context.Context, offset int64) (*yeastar.Download, error) {
		return p.Download(ctx, link.ResourceURL, offset)
	}
	r, err := newResumingReader(t.Context(), open, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("ReadAll = %v", err)
	}
	if !slices.Equal(got, p.data) {
		t.Errorf("read %d bytes different from the recording's %d", len(got), len(p.data))
	}
	if r.Size() != int64(len(p.data)) || r.Resumes() != 2 {
		t.Errorf("Size, Resumes = %d, %d; want %d, 2", r.Size(), r.Resumes(), len(p.data))
	}
	if n, err := r.Read(make([]byte, 10)); n != 0 || err != io.EOF { //nolint:errorlint // io.Reader must return io.EOF itself, unwrapped
		t.Errorf("Read at the end = %d, %v; want 0, EOF", n, err)
	}
	r.Close()
	p.checkClosed()
}
