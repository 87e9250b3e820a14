package yeastar_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

func TestRecordingDownloadLink(t *testing.T) {
	recs := []yeastartest.Recording{
		{ID: 1727, File: "20220412173331-1649756009.12-2002-2005-Internal.wav", Size: 4096},
		// A name with '+' and spaces, and a decoy that a client which does
		// not encode '+' would find instead ("+" decodes to a space).
		{ID: 7, File: "2024 01 02+0100 call+x.wav", Size: 3000},
		{ID: 8, File: "2024 01 02 0100 call x.wav", Size: 2000},
		{ID: 9, File: "20240102-1.2-2001-2002-Outbound.mp3", Size: 5000},
	}
	tests := []struct {
		name  string
		query yeastar.RecordingQuery
		want  yeastartest.Recording
	}{
		{"by id", yeastar.RecordingQuery{ID: 1727}, recs[0]},
		{"by file", yeastar.RecordingQuery{File: recs[0].File}, recs[0]},
		{"file with plus and spaces", yeastar.RecordingQuery{File: recs[1].File}, recs[1]},
		{"file with spaces", yeastar.RecordingQuery{File: recs[2].File}, recs[2]},
		{"mp3 by id", yeastar.RecordingQuery{ID: 9}, recs[3]},
	}
	sim := newSim(t, yeastartest.Options{})
	for _, r := range recs {
		sim.AddRecording(r)
	}
	c := newClient(t, sim.URL(), yeastar.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			link, err := c.RecordingDownloadLink(t.Context(), tt.query)
			if err != nil {
				t.Fatalf("RecordingDownloadLink(%+v): %v", tt.query, err)
			}
			if link.File != tt.want.File || !strings.HasPrefix(link.ResourceURL, yeastartest.DownloadPrefix) {
				t.Fatalf("link = %+v, want file %q under %s", link, tt.want.File, yeastartest.DownloadPrefix)
			}
			// The link leads to that recording's bytes.
			d, err := c.Download(t.Context(), link.ResourceURL, 0)
			if err != nil {
				t.Fatalf("Download(%q): %v", link.ResourceURL, err)
			}
			defer d.Body.Close()
			n, sum, err := readSum(d.Body)
			if err != nil || n != tt.want.Size || sum != contentSum(t, tt.want.File, tt.want.Size, 0) {
				t.Errorf("downloaded %d bytes (err %v), want the %d bytes of %q", n, err, tt.want.Size, tt.want.File)
			}
		})
	}
}

func TestRecordingDownloadLinkNotFound(t *testing.T) {
	tests := []struct {
		name  string
		query yeastar.RecordingQuery
	}{
		{"unknown id", yeastar.RecordingQuery{ID: 404}},
		{"unknown file", yeastar.RecordingQuery{File: "nope+nothing here.wav"}},
	}
	sim := newSim(t, yeastartest.Options{})
	sim.AddRecording(yeastartest.Recording{ID: 1, File: "known.wav", Size: 10})
	c := newClient(t, sim.URL(), yeastar.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			link, err := c.RecordingDownloadLink(t.Context(), tt.query)
			if err == nil {
				t.Fatalf("RecordingDownloadLink = %+v, want an error", link)
			}
			var apiErr *yeastar.APIError
			if !errors.As(err, &apiErr) || apiErr.Code != yeastar.CodeDataNotFound || apiErr.Op != "recording/download" {
				t.Fatalf("error = %#v, want *APIError{Op: recording/download, Code: 60001}", err)
			}
			if apiErr.Message != "DATA NOT FOUND" {
				t.Errorf("Message = %q, want the PBX's errmsg", apiErr.Message)
			}
			wrapped := fmt.Errorf("recording %v: %w", tt.query, err)
			if !errors.Is(wrapped, &yeastar.APIError{Code: yeastar.CodeDataNotFound}) {
				t.Error("errors.Is(err, &APIError{Code: 60001}) = false")
			}
			if !errors.Is(wrapped, &yeastar.APIError{Op: "recording/download", Code: yeastar.CodeDataNotFound}) {
				t.Error("errors.Is with the matching Op = false")
			}
			if errors.Is(wrapped, &yeastar.APIError{Code: yeastar.CodeTokenExpired}) {
				t.Error("errors.Is(err, &APIError{Code: 10004}) = true")
			}
			if errors.Is(wrapped, &yeastar.APIError{Op: "download", Code: yeastar.CodeDataNotFound}) {
				t.Error("errors.Is with another Op = true")
			}
			if code, ok := yeastar.ErrorCode(wrapped); !ok || code != yeastar.CodeDataNotFound {
				t.Errorf("ErrorCode = %d, %v; want 60001, true", code, ok)
			}
		})
	}
}

func TestErrorCodeWithoutAPIError(t *testing.T) {
	for _, err := range []error{nil, errors.New("plain"), &yeastar.HTTPError{Op: "x", StatusCode: 502}, &yeastar.ContentError{Op: "download"}} {
		if code, ok := yeastar.ErrorCode(err); ok || code != 0 {
			t.Errorf("ErrorCode(%v) = %d, %v; want 0, false", err, code, ok)
		}
	}
}

func TestRecordingDownloadLinkInvalidQuery(t *testing.T) {
	tests := []struct {
		name  string
		query yeastar.RecordingQuery
	}{
		{"both id and file", yeastar.RecordingQuery{ID: 1, File: "a.wav"}},
		{"neither", yeastar.RecordingQuery{}},
		{"negative id", yeastar.RecordingQuery{ID: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := newSim(t, yeastartest.Options{})
			sim.AddRecording(yeastartest.Recording{ID: 1, File: "a.wav", Size: 10})
			c := newClient(t, sim.URL(), yeastar.Options{})
			if link, err := c.RecordingDownloadLink(t.Context(), tt.query); err == nil {
				t.Fatalf("RecordingDownloadLink(%+v) = %+v, want an error", tt.query, link)
			}
			if st := sim.Stats(); len(st.APIRequests) != 0 || len(st.UserAgents) != 0 {
				t.Errorf("requests reached the PBX: %v", st.APIRequests)
			}
		})
	}
}

func TestRecordingDownloadLinkTokenExpired(t *testing.T) {
	tests := []struct {
		name     string
		fault    func(*yeastartest.Simulator)
		wantCode int // 0: success
		requests int // recording/download requests
		issued   int
		refresh  int
	}{
		{
			name:     "10004 once is retried with a refreshed token",
			fault:    func(s *yeastartest.Simulator) { s.FailAPI("recording/download", yeastartest.ErrCodeTokenExpired, 1) },
			requests: 2, issued: 1, refresh: 1,
		},
		{
			name:     "10004 twice is returned",
			fault:    func(s *yeastartest.Simulator) { s.FailAPI("recording/download", yeastartest.ErrCodeTokenExpired, 2) },
			wantCode: yeastar.CodeTokenExpired, requests: 2, issued: 1, refresh: 1,
		},
		{
			name:     "revoked tokens: log in again and retry",
			fault:    (*yeastartest.Simulator).RevokeAll,
			requests: 2, issued: 2, refresh: 0,
		},
		{
			name:     "other errcodes are not retried",
			fault:    func(s *yeastartest.Simulator) { s.FailAPI("recording/download", yeastartest.ErrCodeInternal, 1) },
			wantCode: yeastar.CodeInternal, requests: 1, issued: 1, refresh: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := newSim(t, yeastartest.Options{})
			sim.AddRecording(yeastartest.Recording{ID: 5, File: "five.wav", Size: 100})
			c := newClient(t, sim.URL(), yeastar.Options{})
			if _, err := c.AccessToken(t.Context()); err != nil {
				t.Fatal(err)
			}
			tt.fault(sim)
			link, err := c.RecordingDownloadLink(t.Context(), yeastar.RecordingQuery{ID: 5})
			if tt.wantCode == 0 {
				if err != nil || link.File != "five.wav" {
					t.Fatalf("RecordingDownloadLink = %+v, %v; want five.wav", link, err)
				}
			} else if code, ok := yeastar.ErrorCode(err); !ok || code != tt.wantCode {
				t.Fatalf("RecordingDownloadLink error = %v, want errcode %d", err, tt.wantCode)
			}
			st := sim.Stats()
			if st.Faults.Total() == 0 {
				t.Errorf("the fault never fired")
			}
			if st.APIRequests["recording/download"] != tt.requests || st.TokensIssued != tt.issued || st.Refreshes != tt.refresh {
				t.Errorf("recording/download requests %d, tokens issued %d, refreshes %d; want %d, %d, %d",
					st.APIRequests["recording/download"], st.TokensIssued, st.Refreshes, tt.requests, tt.issued, tt.refresh)
			}
		})
	}
}
