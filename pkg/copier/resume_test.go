package copier

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

const resumeSize = 200_000

func TestCopyResumes(t *testing.T) {
	drop := io.ErrUnexpectedEOF
	expired := &yeastar.APIError{Op: "download", Code: yeastar.CodeTokenExpired, Message: "TOKEN EXPIRED"}
	tests := []struct {
		name        string
		opts        func(*Options)
		steps       []step
		wantOffsets []int64
		wantURLs    []int // link numbers of the Downloads' URLs; nil: every Download through link 1
		wantErr     string
		wantClass   class // of the error; "" means retryable
		wantUploads int   // 0 means one
		wantResumes int   // recording.Result.Resumes, over every attempt
	}{
		{
			name:        "drops at three points",
			steps:       []step{{stop: 10_000, end: drop}, {stop: 90_000, end: drop}, {stop: 150_001, end: drop}},
			wantOffsets: []int64{0, 10_000, 90_000, 150_001},
			wantResumes: 3,
		},
		{
			name:        "drop in the first chunk",
			steps:       []step{{stop: 1, end: drop}},
			wantOffsets: []int64{0, 1},
			wantResumes: 1,
		},
		{
			name:        "early clean EOF",
			steps:       []step{{stop: 77_777, end: io.EOF}},
			wantOffsets: []int64{0, 77_777},
			wantResumes: 1,
		},
		{
			name:        "stall",
			opts:        func(o *Options) { o.StallTimeout = 50 * time.Millisecond },
			steps:       []step{{stop: 3 * 4096, end: errBlock}},
			wantOffsets: []int64{0, 3 * 4096},
			wantResumes: 1,
		},
		{
			name:        "stall before the first byte",
			opts:        func(o *Options) { o.StallTimeout = 50 * time.Millisecond },
			steps:       []step{{stop: 0, end: errBlock}},
			wantOffsets: []int64{0, 0},
			wantResumes: 1,
		},
		{
			name:        "stall opening the resumed download",
			opts:        func(o *Options) { o.StallTimeout = 50 * time.Millisecond },
			steps:       []step{{stop: 5000, end: drop}, {stallOpen: true}},
			wantOffsets: []int64{0, 5000, 5000},
			wantResumes: 2,
		},
		{
			// The copy is retried as a whole: nothing was uploaded yet.
			name:        "stall opening the download",
			opts:        func(o *Options) { o.StallTimeout = 50 * time.Millisecond },
			steps:       []step{{stallOpen: true}},
			wantOffsets: []int64{0, 0},
			wantURLs:    []int{1, 2},
			wantResumes: 0,
		},
		{
			name:        "transient errors on reopen",
			steps:       []step{{stop: 5000, end: drop}, {err: &yeastar.HTTPError{Op: "download", StatusCode: 503}}, {err: errors.New("connection refused")}},
			wantOffsets: []int64{0, 5000, 5000, 5000},
			wantResumes: 3,
		},
		{
			// The link expired: a new one is asked for and the download
			// continues where it was, through the new link from then on.
			name:        "10004 on reopen",
			steps:       []step{{stop: 5000, end: drop}, {err: expired}, {stop: 9000, end: drop}},
			wantOffsets: []int64{0, 5000, 5000, 9000},
			wantURLs:    []int{1, 1, 2, 2},
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
			wantErr:     "download dropped at byte 3000",
			wantResumes: 2,
		},
		{
			name: "stalls beyond MaxResumes",
			opts: func(o *Options) {
				o.MaxResumes, o.TransientRetry.Attempts, o.StallTimeout = 1, 1, 50*time.Millisecond
			},
			steps:       []step{{stop: 100, end: errBlock}, {stop: 200, end: errBlock}},
			wantOffsets: []int64{0, 100},
			wantErr:     "download stalled",
			wantResumes: 1,
		},
		{
			name:        "transient reopen errors beyond MaxResumes",
			opts:        func(o *Options) { o.MaxResumes, o.TransientRetry.Attempts = 2, 1 },
			steps:       []step{{stop: 1000, end: drop}, {err: errors.New("connection refused")}, {err: errors.New("connection refused")}},
			wantOffsets: []int64{0, 1000, 1000},
			wantErr:     "resume download at byte 1000",
			wantResumes: 2,
		},
		{
			name:        "permanent error on reopen",
			steps:       []step{{stop: 1000, end: drop}, {err: &yeastar.APIError{Op: "download", Code: yeastar.CodeIPForbidden}}},
			wantOffsets: []int64{0, 1000},
			wantErr:     "errcode 70087",
			wantClass:   permanent,
			wantResumes: 1,
		},
		{
			name:        "size changed on reopen",
			opts:        func(o *Options) { o.TransientRetry.Attempts = 1 },
			steps:       []step{{stop: 5000, end: drop}, {size: resumeSize + 1}},
			wantOffsets: []int64{0, 5000},
			wantErr:     "the PBX answered byte 5000 of 200001",
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
			links := tt.wantURLs
			if links == nil {
				links = slices.Repeat([]int{1}, len(tt.wantOffsets))
			}
			var wantURLs []string
			for _, n := range links {
				wantURLs = append(wantURLs, linkURL(n))
			}
			if !slices.Equal(p.urls, wantURLs) {
				t.Errorf("Download URLs = %v, want %v", p.urls, wantURLs)
			}
			if want := links[len(links)-1]; p.links != want {
				t.Errorf("RecordingDownloadLink called %d times, want %d", p.links, want)
			}
			p.checkClosed()
			if res.Resumes != tt.wantResumes || res.BusyWaits != 0 {
				t.Errorf("recording.Result.Resumes, BusyWaits = %d, %d; want %d, 0", res.Resumes, res.BusyWaits, tt.wantResumes)
			}
			if want := cmp.Or(tt.wantUploads, 1); len(s.uploads) != want {
				t.Fatalf("%d uploads, want %d", len(s.uploads), want)
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
