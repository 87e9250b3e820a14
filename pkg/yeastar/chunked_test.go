package yeastar_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// TestDownloadChunked: a download without Content-Length, sent chunked, is
// a recording of unknown size; a 206 gives the size from Content-Range; a
// body cut before its last chunk ends in an error, never a clean EOF.
func TestDownloadChunked(t *testing.T) {
	const size = 400_009
	tests := []struct {
		name     string
		offset   int64
		cut      int64 // ShortDownload after this many bytes; -1 for none
		wantSize int64
		wantRead int64
	}{
		{"whole", 0, -1, -1, size},
		{"resumed: the size from Content-Range", 150_000, -1, size, size - 150_000},
		{"cut before the last chunk", 0, 123_456, -1, 123_456},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := newSim(t, yeastartest.Options{ChunkedDownloads: true})
			c := newClient(t, sim.URL(), yeastar.Options{})
			rec := yeastartest.Recording{ID: i + 1, File: "chunked.wav", Size: size}
			link := linkFor(t, c, sim, rec)
			if tt.cut >= 0 {
				sim.ShortDownload(rec.File, tt.cut, 1)
			}
			d, err := c.Download(t.Context(), link.ResourceURL, tt.offset)
			if err != nil {
				t.Fatalf("Download: %v", err)
			}
			defer d.Body.Close()
			if d.Offset != tt.offset || d.Size != tt.wantSize || d.ContentLength != -1 {
				t.Errorf("Offset %d, Size %d, ContentLength %d; want %d, %d, -1", d.Offset, d.Size, d.ContentLength, tt.offset, tt.wantSize)
			}
			n, sum, err := readSum(d.Body)
			if want := tt.cut >= 0; (err != nil) != want || want && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("reading the body ended with %v, want io.ErrUnexpectedEOF %v", err, want)
			}
			if n != tt.wantRead || sum != contentSum(t, rec.File, tt.offset+tt.wantRead, tt.offset) {
				t.Errorf("read %d bytes, want %d bytes of the recording from byte %d", n, tt.wantRead, tt.offset)
			}
			if cut := sim.Stats().DownloadsCompleted == 0; cut != (tt.cut >= 0) {
				t.Errorf("the download was cut: %v, want %v", cut, tt.cut >= 0)
			}
		})
	}
}

// TestDownloadAtTheEnd: resumed at the recording's exact end (a chunked
// body cut after its last byte), the PBX's 416 "bytes */SIZE" says the
// recording is whole: a Download of no bytes and that size.
func TestDownloadAtTheEnd(t *testing.T) {
	sim := newSim(t, yeastartest.Options{ChunkedDownloads: true})
	c := newClient(t, sim.URL(), yeastar.Options{})
	rec := yeastartest.Recording{ID: 1, File: "end.wav", Size: 1000}
	d, err := c.Download(t.Context(), linkFor(t, c, sim, rec).ResourceURL, rec.Size)
	if err != nil {
		t.Fatalf("Download at the end: %v", err)
	}
	defer d.Body.Close()
	if n, _, err := readSum(d.Body); n != 0 || err != nil || d.Offset != rec.Size || d.Size != rec.Size {
		t.Errorf("Download at the end: %d bytes (%v), Offset %d, Size %d; want none, at and of size %d", n, err, d.Offset, d.Size, rec.Size)
	}
}

// TestDownloadContentRangeUnknownSize: "bytes START-END/*" leaves the
// size unknown.
func TestDownloadContentRangeUnknownSize(t *testing.T) {
	body := strings.Repeat("\x00\x01", 500)
	_, srv := wrappedSim(t, yeastartest.Options{}, map[string]http.HandlerFunc{
		yeastartest.DownloadPrefix + "star.wav": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "audio/x-wav")
			w.Header().Set("Content-Range", "bytes 100-1099/*")
			w.WriteHeader(http.StatusPartialContent)
			_, _ = io.WriteString(w, body)
		},
	})
	c := newClient(t, srv.URL, yeastar.Options{})
	d, err := c.Download(t.Context(), yeastartest.DownloadPrefix+"star.wav", 100)
	if err != nil {
		t.Fatalf("Download: %v", err)
	}
	defer d.Body.Close()
	if d.Offset != 100 || d.Size != -1 {
		t.Errorf("Offset %d, Size %d; want 100, -1 (unknown)", d.Offset, d.Size)
	}
}

// TestDownloadCloseDelimited: a body with neither Content-Length nor
// chunked encoding ends with the connection, so a cut would look whole: it
// is refused.
func TestDownloadCloseDelimited(t *testing.T) {
	var token atomic.Value
	_, srv := wrappedSim(t, yeastartest.Options{}, map[string]http.HandlerFunc{
		yeastartest.DownloadPrefix + "raw.wav": func(w http.ResponseWriter, r *http.Request) {
			token.Store(r.URL.Query().Get("access_token"))
			conn, buf, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			defer conn.Close()
			_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: audio/x-wav\r\nConnection: close\r\n\r\n")
			_, _ = buf.Write(contentPrefix(t, "raw.wav", 100_000, 100_000))
			_ = buf.Flush()
		},
	})
	c := newClient(t, srv.URL, yeastar.Options{})
	d, err := c.Download(t.Context(), yeastartest.DownloadPrefix+"raw.wav", 0)
	var cErr *yeastar.ContentError
	if !errors.As(err, &cErr) || !strings.Contains(cErr.Reason, "chunked") {
		t.Errorf("Download = %v, %v; want *ContentError about a body neither sized nor chunked", d, err)
	}
	if tok, _ := token.Load().(string); tok == "" {
		t.Error("the download request reached the server without an access token")
	}
}
