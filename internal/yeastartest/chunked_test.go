package yeastartest

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"slices"
	"testing"
)

func TestChunkedDownloads(t *testing.T) {
	const size = 300_007
	rec := Recording{ID: 1, File: "20220412173331-1649756009.12-2002-2005-Internal.wav", Size: size}
	tests := []struct {
		name       string
		rng        string
		cut        int64 // ShortDownload after this many bytes; -1 for none
		drop       bool  // DropDownloadAfter instead of ShortDownload
		wantStatus int
		wantRange  string
		from       int64
		wantRead   int64
		wantErr    error
	}{
		{"whole", "", -1, false, 200, "", 0, size, nil},
		{"resumed keeps the size in Content-Range", "bytes=1000-", -1, false, 206, "bytes 1000-300006/300007", 1000, size - 1000, nil},
		{"short ends before the last chunk", "", 100_000, false, 200, "", 0, 100_000, io.ErrUnexpectedEOF},
		{"drop ends before the last chunk", "", 70_000, true, 200, "", 0, 70_000, io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestSim(t, Options{ChunkedDownloads: true})
			s.AddRecording(rec)
			switch {
			case tt.cut >= 0 && tt.drop:
				s.DropDownloadAfter(rec.File, tt.cut, 1)
			case tt.cut >= 0:
				s.ShortDownload(rec.File, tt.cut, 1)
			}
			c := newTestClient(t, s)
			resp := c.download(c.downloadURL(c.token(), rec.ID), tt.rng)
			defer resp.Body.Close()
			if resp.StatusCode != tt.wantStatus || resp.Header.Get("Content-Range") != tt.wantRange {
				t.Fatalf("status %d, Content-Range %q; want %d, %q", resp.StatusCode, resp.Header.Get("Content-Range"), tt.wantStatus, tt.wantRange)
			}
			if resp.ContentLength != -1 || !slices.Equal(resp.TransferEncoding, []string{"chunked"}) {
				t.Errorf("ContentLength %d, Transfer-Encoding %v; want -1 and chunked", resp.ContentLength, resp.TransferEncoding)
			}
			body, err := io.ReadAll(resp.Body)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("reading the body: %v, want %v", err, tt.wantErr)
			}
			if want := contentBytes(t, rec.File, size, tt.from, tt.from+tt.wantRead); !bytes.Equal(body, want) {
				t.Errorf("read %d bytes, want bytes %d-%d of the recording", len(body), tt.from, tt.from+tt.wantRead)
			}
			st := s.Stats()
			if completed := st.DownloadsCompleted == 1; completed != (tt.cut < 0) {
				t.Errorf("DownloadsCompleted = %d: the fault (cut %d) fired %v", st.DownloadsCompleted, tt.cut, !completed)
			}
		})
	}
}

func TestChunkedDownloadPastTheEnd(t *testing.T) {
	rec := Recording{ID: 1, File: "20220412173331-1649756009.12-2002-2005-Internal.wav", Size: 5000}
	s := newTestSim(t, Options{ChunkedDownloads: true})
	s.AddRecording(rec)
	c := newTestClient(t, s)
	resp := c.download(c.downloadURL(c.token(), rec.ID), "bytes=5000-")
	defer resp.Body.Close()
	// A client that resumes at the exact end learns the size from here.
	if resp.StatusCode != http.StatusRequestedRangeNotSatisfiable || resp.Header.Get("Content-Range") != "bytes */5000" {
		t.Errorf("status %d, Content-Range %q; want 416, bytes */5000", resp.StatusCode, resp.Header.Get("Content-Range"))
	}
}
