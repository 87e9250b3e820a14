package copier

import (
	"context"
	"crypto/sha256"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// chunkedPBX answers as a PBX that sends its downloads chunked: no size on
// a 200, and on a 206 the size its Content-Range gives (rangeSize; -1 for
// "bytes N-M/*"). atEnd answers a resume at the recording's exact end as
// the PBX's 416 "bytes */SIZE" reads.
type chunkedPBX struct {
	*rangePBX
	rangeSize int64
}

func (p *chunkedPBX) Download(ctx context.Context, resourceURL string, offset int64) (*yeastar.Download, error) {
	if offset == int64(len(p.data)) {
		p.offsets = append(p.offsets, offset)
		p.urls = append(p.urls, resourceURL)
		body := &rangeBody{ctx: ctx, end: io.EOF}
		p.bodies = append(p.bodies, body)
		return &yeastar.Download{Body: body, Offset: offset, Size: offset}, nil
	}
	d, err := p.rangePBX.Download(ctx, resourceURL, offset)
	if err != nil {
		return nil, err
	}
	d.ContentLength, d.Size = -1, -1
	if d.Offset > 0 {
		d.Size = p.rangeSize
	}
	return d, nil
}

func TestCopyChunked(t *testing.T) {
	drop := io.ErrUnexpectedEOF
	tests := []struct {
		name        string
		rangeSize   int64 // the size a 206 gives; -1 for none
		steps       []step
		wantOffsets []int64
		wantUploads int
		wantErr     string
	}{
		{name: "whole", rangeSize: resumeSize, wantOffsets: []int64{0}, wantUploads: 1},
		{
			name:        "cut, resumed with the size from Content-Range",
			rangeSize:   resumeSize,
			steps:       []step{{stop: 70_000, end: drop}},
			wantOffsets: []int64{0, 70_000},
			wantUploads: 1,
		},
		{
			name:        "cut twice, resumed without a size",
			rangeSize:   -1,
			steps:       []step{{stop: 70_000, end: drop}, {stop: 150_000, end: drop}},
			wantOffsets: []int64{0, 70_000, 150_000},
			wantUploads: 1,
		},
		{
			name:        "cut after the last byte, before the last chunk",
			rangeSize:   -1,
			steps:       []step{{stop: resumeSize, end: drop}},
			wantOffsets: []int64{0, resumeSize},
			wantUploads: 1,
		},
		{
			name:        "cut, the PBX ignores Range: restarted",
			rangeSize:   -1,
			steps:       []step{{stop: 70_000, end: drop}, {ignoreRange: true}},
			wantOffsets: []int64{0, 70_000, 0},
			wantUploads: 2,
		},
		{
			name:      "cut, the resumed size disagrees",
			rangeSize: 50_000,
			// The copy is retried once (testOptions), and meets the same.
			steps:       []step{{stop: 70_000, end: drop}, {}, {stop: 70_000, end: drop}},
			wantOffsets: []int64{0, 70_000, 0, 70_000},
			wantUploads: 2,
			wantErr:     "the PBX answered byte 70000 of 50000",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, bubble(func(t *testing.T) {
			rp := newRangePBX(t, resumeSize)
			p := &chunkedPBX{rangePBX: rp, rangeSize: tt.rangeSize}
			rp.steps = tt.steps
			s := &hashStore{}
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			res, err := newTestCopier(t, p, s, testOptions()).Copy(ctx, recording.Ref{ID: 1727})
			if !slices.Equal(rp.offsets, tt.wantOffsets) {
				t.Errorf("Download offsets = %v, want %v", rp.offsets, tt.wantOffsets)
			}
			rp.checkClosed()
			if len(s.uploads) != tt.wantUploads {
				t.Fatalf("%d uploads, want %d", len(s.uploads), tt.wantUploads)
			}
			for i, u := range s.uploads {
				if u.obj.Size != -1 {
					t.Errorf("upload %d announced %d bytes, want -1 (unknown)", i, u.obj.Size)
				}
			}
			last := s.uploads[len(s.uploads)-1]
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || last.err == nil {
					t.Errorf("Copy = %v (last upload: %v), want an error mentioning %q and no upload completed", err, last.err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Copy = %v", err)
			}
			if last.err != nil || last.n != resumeSize || last.sum != sha256.Sum256(rp.data) {
				t.Errorf("stored %d bytes (err %v), equal to the recording: %v; want all %d", last.n, last.err, last.sum == sha256.Sum256(rp.data), resumeSize)
			}
			if res.Bytes != resumeSize {
				t.Errorf("recording.Result.Bytes = %d, want %d", res.Bytes, resumeSize)
			}
		}))
	}
}

// TestCopyChunkedCutForGood: a chunked download cut every time is never
// stored: the resumes run out and the upload fails.
func TestCopyChunkedCutForGood(t *testing.T) {
	rp := newRangePBX(t, resumeSize)
	p := &chunkedPBX{rangePBX: rp, rangeSize: -1}
	// Every answer is cut at byte 1000: a resume from there gets no byte.
	for range 20 {
		rp.steps = append(rp.steps, step{stop: 1000, end: io.ErrUnexpectedEOF})
	}
	s := &hashStore{}
	opts := testOptions()
	opts.MaxResumes = 2
	_, err := newTestCopier(t, p, s, opts).Copy(t.Context(), recording.Ref{ID: 1727})
	if err == nil || len(s.uploads) == 0 {
		t.Fatalf("Copy of a download cut for good = %v after %d uploads, want an error", err, len(s.uploads))
	}
	for i, u := range s.uploads {
		if u.err == nil {
			t.Errorf("upload %d completed with %d bytes", i, u.n)
		}
	}
	rp.checkClosed()
}
