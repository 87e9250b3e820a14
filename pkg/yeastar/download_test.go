package yeastar_test

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

func TestDownload(t *testing.T) {
	const big = 3<<20 + 12345
	tests := []struct {
		name         string
		rec          yeastartest.Recording
		offset       int64
		disableRange bool
		wantOffset   int64
		wantType     string
	}{
		{name: "whole wav", rec: yeastartest.Recording{ID: 1, File: "20240101-1.1-2001-2002-Internal.wav", Size: big}, wantType: "audio/x-wav"},
		{name: "whole mp3", rec: yeastartest.Recording{ID: 2, File: "20240101-1.2-2001-2002-Inbound.mp3", Size: 1<<20 + 1}, wantType: "audio/mpeg"},
		{name: "smaller than the sniffed head", rec: yeastartest.Recording{ID: 3, File: "tiny.wav", Size: 100}, wantType: "audio/x-wav"},
		{name: "resume from an offset", rec: yeastartest.Recording{ID: 4, File: "resume.wav", Size: big}, offset: 1<<20 + 7, wantOffset: 1<<20 + 7, wantType: "audio/x-wav"},
		{name: "resume at the last byte", rec: yeastartest.Recording{ID: 5, File: "last.wav", Size: 10_000}, offset: 9_999, wantOffset: 9_999, wantType: "audio/x-wav"},
		{name: "range ignored by the PBX", rec: yeastartest.Recording{ID: 6, File: "norange.wav", Size: 1 << 20}, offset: 5000, disableRange: true, wantOffset: 0, wantType: "audio/x-wav"},
		// An empty recording is a recording: Content-Length 0 and nothing to
		// sniff must not read as a text body.
		{name: "empty wav", rec: yeastartest.Recording{ID: 7, File: "20240101-1.7-2001-2002-Internal.wav", Size: 0}, wantType: "audio/x-wav"},
		{name: "empty mp3", rec: yeastartest.Recording{ID: 8, File: "20240101-1.8-2001-2002-Inbound.mp3", Size: 0}, wantType: "audio/mpeg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := newSim(t, yeastartest.Options{DisableRange: tt.disableRange})
			c := newClient(t, sim.URL(), yeastar.Options{})
			link := linkFor(t, c, sim, tt.rec)
			d, err := c.Download(t.Context(), link.ResourceURL, tt.offset)
			if err != nil {
				t.Fatalf("Download(offset %d): %v", tt.offset, err)
			}
			defer d.Body.Close()
			wantLen := tt.rec.Size - tt.wantOffset
			if d.Offset != tt.wantOffset || d.Size != tt.rec.Size || d.ContentLength != wantLen || d.ContentType != tt.wantType {
				t.Errorf("Download = {Offset %d, Size %d, ContentLength %d, ContentType %q}, want {%d, %d, %d, %q}",
					d.Offset, d.Size, d.ContentLength, d.ContentType, tt.wantOffset, tt.rec.Size, wantLen, tt.wantType)
			}
			n, sum, err := readSum(d.Body)
			if err != nil {
				t.Fatalf("reading the body: %v", err)
			}
			if n != wantLen || sum != contentSum(t, tt.rec.File, tt.rec.Size, tt.wantOffset) {
				t.Errorf("body: %d bytes, content match %v; want bytes [%d, %d) of the recording",
					n, sum == contentSum(t, tt.rec.File, tt.rec.Size, tt.wantOffset), tt.wantOffset, tt.rec.Size)
			}
			// The Range header went out exactly when an offset was asked for.
			if st := sim.Stats(); !slices.Equal(st.DownloadRanges, []int64{tt.offset}) {
				t.Errorf("ranges requested = %v, want [%d]", st.DownloadRanges, tt.offset)
			}
		})
	}
}

func TestDownloadOffsetPastEnd(t *testing.T) {
	sim := newSim(t, yeastartest.Options{})
	c := newClient(t, sim.URL(), yeastar.Options{})
	rec := yeastartest.Recording{ID: 1, File: "end.wav", Size: 1000}
	// At the exact end the 416 says the recording is whole: see
	// TestDownloadAtTheEnd.
	d, err := c.Download(t.Context(), linkFor(t, c, sim, rec).ResourceURL, rec.Size+1)
	var httpErr *yeastar.HTTPError
	if !errors.As(err, &httpErr) || httpErr.StatusCode != http.StatusRequestedRangeNotSatisfiable {
		t.Errorf("Download past the end = %v, %v; want *HTTPError 416", d, err)
	}
}

// TestDownloadBinaryLooksLikeJSON checks that audio is not taken for a JSON
// error just because its first byte (after bytes that look like blanks) is
// '{': only a body that is text is sniffed as JSON.
func TestDownloadBinaryLooksLikeJSON(t *testing.T) {
	tests := []struct {
		name   string
		prefix string
	}{
		{"starts with a brace", "{"},
		{"starts with a blank and a brace", "\n{"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const size = 64 << 10
			file := ""
			for i := 0; file == ""; i++ {
				name := fmt.Sprintf("20240101-%d.1-2001-2002-Internal.raw", i) // a format without a magic header: its first bytes are random
				if bytes.HasPrefix(contentPrefix(t, name, size, 2), []byte(tt.prefix)) {
					file = name
				}
			}
			sim := newSim(t, yeastartest.Options{})
			c := newClient(t, sim.URL(), yeastar.Options{})
			rec := yeastartest.Recording{ID: 1, File: file, Size: size}
			d, err := c.Download(t.Context(), linkFor(t, c, sim, rec).ResourceURL, 0)
			if err != nil {
				t.Fatalf("Download of %q (content starts %q): %v", file, tt.prefix, err)
			}
			defer d.Body.Close()
			n, sum, err := readSum(d.Body)
			if err != nil || n != size || sum != contentSum(t, file, size, 0) {
				t.Errorf("body: %d bytes, err %v; want the %d bytes of the recording", n, err, size)
			}
		})
	}
}

func TestDownloadNotAudio(t *testing.T) {
	const (
		expired  = `{"errcode":10004,"errmsg":"TOKEN EXPIRED"}`
		overload = `{"errcode":70082,"errmsg":"OVERLOAD_TASK_RUNNING"}`
		html     = "<!DOCTYPE html><html><head><title>Login</title></head><body>Please log in</body></html>"
	)
	tests := []struct {
		name        string
		contentType string
		body        string
		times       int
		wantCode    int  // an *APIError with this code
		wantContent bool // a *ContentError
		// otherwise the retry succeeds with a refreshed token
	}{
		{name: "JSON 10004 once is retried", contentType: "application/json", body: expired, times: 1},
		{name: "JSON 10004 labelled audio once is retried", contentType: "audio/x-wav", body: expired, times: 1},
		{name: "JSON 10004 twice", contentType: "application/json", body: expired, times: 2, wantCode: yeastar.CodeTokenExpired},
		{name: "JSON 70082", contentType: "application/json; charset=utf-8", body: overload, times: 1, wantCode: yeastar.CodeOverloadTask},
		{name: "JSON 70082 labelled audio", contentType: "audio/x-wav", body: overload, times: 1, wantCode: yeastar.CodeOverloadTask},
		{name: "JSON with blanks labelled octet-stream", contentType: "application/octet-stream", body: "\r\n  " + overload, times: 1, wantCode: yeastar.CodeOverloadTask},
		{name: "JSON without errcode", contentType: "application/json", body: `{"error":"nope"}`, times: 1, wantContent: true},
		{name: "JSON errcode 0", contentType: "application/json", body: `{"errcode":0,"errmsg":"SUCCESS"}`, times: 1, wantContent: true},
		{name: "malformed JSON", contentType: "application/json", body: `{"errcode":`, times: 1, wantContent: true},
		{name: "HTML page", contentType: "text/html; charset=utf-8", body: html, times: 1, wantContent: true},
		{name: "HTML labelled audio", contentType: "audio/x-wav", body: html, times: 1, wantContent: true},
		{name: "HTML labelled octet-stream", contentType: "application/octet-stream", body: html, times: 1, wantContent: true},
		{name: "text page", contentType: "text/plain", body: "Service Unavailable", times: 1, wantContent: true},
		{name: "text labelled audio", contentType: "audio/mpeg", body: "Service Unavailable", times: 1, wantContent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := newSim(t, yeastartest.Options{})
			c := newClient(t, sim.URL(), yeastar.Options{})
			rec := yeastartest.Recording{ID: 1, File: "20240101-1.1-2001-2002-Internal.wav", Size: 200_000}
			link := linkFor(t, c, sim, rec)
			sim.DownloadBody(rec.File, tt.contentType, tt.body, tt.times)
			d, err := c.Download(t.Context(), link.ResourceURL, 0)
			if sim.Stats().Faults.Body == 0 {
				t.Fatalf("the fault never fired")
			}
			switch {
			case tt.wantCode != 0:
				var apiErr *yeastar.APIError
				if !errors.As(err, &apiErr) || apiErr.Code != tt.wantCode || apiErr.Op != "download" {
					t.Fatalf("Download = %v, %v; want *APIError{Op: download, Code: %d}", d, err, tt.wantCode)
				}
			case tt.wantContent:
				var cErr *yeastar.ContentError
				if !errors.As(err, &cErr) {
					t.Fatalf("Download = %v, %v; want *ContentError", d, err)
				}
				if cErr.ContentType != tt.contentType {
					t.Errorf("ContentError.ContentType = %q, want %q", cErr.ContentType, tt.contentType)
				}
				if strings.Contains(err.Error(), tt.body) {
					t.Errorf("error %q quotes the body", err)
				}
			default:
				if err != nil {
					t.Fatalf("Download: %v, want success after renewing the token", err)
				}
				defer d.Body.Close()
				n, sum, err := readSum(d.Body)
				if err != nil || n != rec.Size || sum != contentSum(t, rec.File, rec.Size, 0) {
					t.Errorf("body: %d bytes, err %v; want the recording", n, err)
				}
				if st := sim.Stats(); st.Refreshes != 1 || st.TokensIssued != 1 || st.DownloadsStarted != 1 {
					t.Errorf("refreshes %d, tokens issued %d, downloads started %d; want 1, 1, 1", st.Refreshes, st.TokensIssued, st.DownloadsStarted)
				}
				return
			}
			if d != nil {
				t.Errorf("Download returned %+v with its error", d)
			}
			if st := sim.Stats(); st.DownloadsStarted != 0 {
				t.Errorf("downloads started = %d, want 0", st.DownloadsStarted)
			}
		})
	}
}

// TestDownloadEmptyBody checks an HTTP 200 with no body bytes: with nothing
// to sniff, its Content-Type alone decides. Labelled audio it is an empty
// recording; labelled as an error page it is refused as before; unlabelled
// it is refused as an empty body, not as HTML or JSON.
func TestDownloadEmptyBody(t *testing.T) {
	tests := []struct {
		contentType string
		wantReason  string // "" for an empty Download
	}{
		{"audio/x-wav", ""},
		{"audio/mpeg", ""},
		{"application/octet-stream", ""},
		{"", "empty body without an audio Content-Type"},
		{"image/png", "empty body without an audio Content-Type"},
		{"text/plain", "text or HTML body instead of audio"},
		{"text/html; charset=utf-8", "text or HTML body instead of audio"},
		{"application/json", "response is not a PBX JSON answer"},
	}
	for _, tt := range tests {
		t.Run(cmp.Or(tt.contentType, "no Content-Type"), func(t *testing.T) {
			sim := newSim(t, yeastartest.Options{})
			c := newClient(t, sim.URL(), yeastar.Options{})
			rec := yeastartest.Recording{ID: 1, File: "20240101-1.1-2001-2002-Internal.wav", Size: 200_000}
			link := linkFor(t, c, sim, rec)
			sim.DownloadBody(rec.File, tt.contentType, "", 1)
			d, err := c.Download(t.Context(), link.ResourceURL, 0)
			if sim.Stats().Faults.Body != 1 {
				t.Fatalf("the fault never fired")
			}
			if tt.wantReason != "" {
				var cErr *yeastar.ContentError
				if !errors.As(err, &cErr) || cErr.Reason != tt.wantReason {
					t.Fatalf("Download = %v, %v; want *ContentError %q", d, err, tt.wantReason)
				}
				return
			}
			if err != nil {
				t.Fatalf("Download: %v, want an empty recording", err)
			}
			defer d.Body.Close()
			if d.Offset != 0 || d.ContentLength != 0 || d.Size != 0 || d.ContentType != tt.contentType {
				t.Errorf("Download = {Offset %d, ContentLength %d, Size %d, ContentType %q}, want {0, 0, 0, %q}",
					d.Offset, d.ContentLength, d.Size, d.ContentType, tt.contentType)
			}
			if b, err := io.ReadAll(d.Body); err != nil || len(b) != 0 {
				t.Errorf("body: %d bytes, err %v; want none", len(b), err)
			}
		})
	}
}

func TestDownloadTruncated(t *testing.T) {
	const size = 2 << 20
	tests := []struct {
		name  string
		fault func(s *yeastartest.Simulator, file string, n int64)
		cut   int64
	}{
		{"dropped within the sniffed head", func(s *yeastartest.Simulator, f string, n int64) { s.DropDownloadAfter(f, n, 1) }, 100},
		{"dropped mid-body", func(s *yeastartest.Simulator, f string, n int64) { s.DropDownloadAfter(f, n, 1) }, 1<<20 + 3},
		{"short within the sniffed head", func(s *yeastartest.Simulator, f string, n int64) { s.ShortDownload(f, n, 1) }, 100},
		{"short mid-body", func(s *yeastartest.Simulator, f string, n int64) { s.ShortDownload(f, n, 1) }, 300_001},
		{"short by one byte", func(s *yeastartest.Simulator, f string, n int64) { s.ShortDownload(f, n, 1) }, size - 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := newSim(t, yeastartest.Options{})
			c := newClient(t, sim.URL(), yeastar.Options{})
			rec := yeastartest.Recording{ID: 1, File: "cut.wav", Size: size}
			link := linkFor(t, c, sim, rec)
			tt.fault(sim, rec.File, tt.cut)
			d, err := c.Download(t.Context(), link.ResourceURL, 0)
			if err != nil {
				t.Fatalf("Download: %v", err)
			}
			if f := sim.Stats().Faults; f.Dropped+f.Short != 1 {
				t.Fatalf("faults fired: %+v, want the one armed", f)
			}
			defer d.Body.Close()
			if d.ContentLength != size {
				t.Errorf("ContentLength = %d, want the declared %d", d.ContentLength, size)
			}
			n, sum, err := readSum(d.Body)
			if err == nil {
				t.Fatalf("reading a truncated body ended cleanly after %d of %d bytes", n, size)
			}
			if n != tt.cut || sum != contentSum(t, rec.File, tt.cut, 0) {
				t.Errorf("read %d bytes before the error %v, want the first %d bytes of the recording", n, err, tt.cut)
			}
			// The error sticks: a caller retrying Read must not see EOF.
			if m, err := d.Body.Read(make([]byte, 10)); err == nil || errors.Is(err, io.EOF) || m != 0 {
				t.Errorf("Read after the error = %d, %v; want 0 and the error again", m, err)
			}
		})
	}
}

func TestDownloadRedirect(t *testing.T) {
	const file = "20240101-9.9-2001-2002-Internal.wav"
	const size = 300_000
	other := newWitness(t)
	var link yeastar.DownloadLink
	sim, srv := wrappedSim(t, yeastartest.Options{}, map[string]http.HandlerFunc{
		"/redirect/same-origin": func(w http.ResponseWriter, r *http.Request) {
			// Go does not carry the query over a redirect: the PBX would.
			http.Redirect(w, r, link.ResourceURL+"?access_token="+r.URL.Query().Get("access_token"), http.StatusFound)
		},
		"/redirect/other-origin": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://"+other.host()+"/steal?access_token="+r.URL.Query().Get("access_token"), http.StatusFound)
		},
		"/redirect/other-origin-semicolon": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://"+other.host()+"/steal?a=1;access_token="+r.URL.Query().Get("access_token"), http.StatusFound)
		},
		"/redirect/scheme-relative": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", "//"+other.host()+"/steal")
			w.WriteHeader(http.StatusMovedPermanently)
		},
	})
	c := newClient(t, srv.URL, yeastar.Options{})
	link = linkFor(t, c, sim, yeastartest.Recording{ID: 1, File: file, Size: size})
	token, err := c.AccessToken(t.Context())
	if err != nil {
		t.Fatal(err)
	}

	t.Run("same origin is followed", func(t *testing.T) {
		d, err := c.Download(t.Context(), "/redirect/same-origin", 0)
		if err != nil {
			t.Fatalf("Download: %v", err)
		}
		defer d.Body.Close()
		n, sum, err := readSum(d.Body)
		if err != nil || n != size || sum != contentSum(t, file, size, 0) {
			t.Errorf("body: %d bytes, err %v; want the recording", n, err)
		}
	})
	for _, path := range []string{"/redirect/other-origin", "/redirect/other-origin-semicolon", "/redirect/scheme-relative"} {
		t.Run(path, func(t *testing.T) {
			d, err := c.Download(t.Context(), path, 0)
			if err == nil {
				d.Body.Close()
				t.Fatal("Download followed a redirect to another origin")
			}
			for _, s := range []string{fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
				if strings.Contains(s, token) {
					t.Errorf("error %s contains the access token", s)
				}
			}
			other.checkUntouched(t)
		})
	}
}
