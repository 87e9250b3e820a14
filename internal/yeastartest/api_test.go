package yeastartest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestRecordingDownloadLink(t *testing.T) {
	const plusFile = "20220412173331-1649756009.12-+4930123-2005-Inbound.wav"
	s := newTestSim(t, Options{})
	s.AddRecording(Recording{ID: 1727, File: "20220412173331-1649756009.12-2002-2005-Internal.wav", Size: 100})
	s.AddRecording(Recording{ID: 9, File: plusFile, Size: 100})
	c := newTestClient(t, s)
	tok := c.token()
	tests := []struct {
		name     string
		rawQuery string // appended after access_token=...
		wantErr  int
		wantFile string
	}{
		{"by id", "&id=1727", 0, "20220412173331-1649756009.12-2002-2005-Internal.wav"},
		{"by file", "&file=20220412173331-1649756009.12-2002-2005-Internal.wav", 0, "20220412173331-1649756009.12-2002-2005-Internal.wav"},
		{"file with + encoded", "&file=" + url.QueryEscape(plusFile), 0, plusFile},
		{"file with + not encoded reads as space", "&file=" + plusFile, 60001, ""},
		{"id wins over file", "&id=9&file=nope.wav", 0, plusFile},
		{"neither id nor file", "", 40002, ""},
		{"id not a number", "&id=abc", 40002, ""},
		{"unknown id", "&id=1", 60001, ""},
		{"unknown file", "&file=nope.wav", 60001, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := s.URL() + "/openapi/v1.0/recording/download?access_token=" + tok + tt.rawQuery
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp := c.do(req)
			defer resp.Body.Close()
			r := decodeResp(t, resp)
			if r.ErrCode != tt.wantErr || r.ErrMsg != ErrMsg(tt.wantErr) {
				t.Fatalf("got %d %q, want %d %q", r.ErrCode, r.ErrMsg, tt.wantErr, ErrMsg(tt.wantErr))
			}
			if tt.wantErr != 0 {
				return
			}
			if r.File != tt.wantFile {
				t.Errorf("file = %q, want %q", r.File, tt.wantFile)
			}
			if !strings.HasPrefix(r.DownloadResourceURL, "/api/download/") || !strings.HasSuffix(r.DownloadResourceURL, "-"+url.PathEscape(tt.wantFile)) {
				t.Errorf("download_resource_url = %q, want /api/download/<random>-%s", r.DownloadResourceURL, tt.wantFile)
			}
		})
	}
	if st := s.Stats(); st.APIRequests["recording/download"] != len(tests) {
		t.Errorf("APIRequests = %v, want %d recording/download", st.APIRequests, len(tests))
	}
}

func TestAPITokenRequired(t *testing.T) {
	s := newTestSim(t, Options{})
	s.AddRecording(Recording{ID: 1, File: "a.wav", Size: 10})
	c := newTestClient(t, s)
	c.token()
	tests := []struct {
		name  string
		query url.Values
	}{
		{"missing", url.Values{"id": {"1"}}},
		{"empty", url.Values{"id": {"1"}, "access_token": {""}}},
		{"unknown", url.Values{"id": {"1"}, "access_token": {"WQMR0cuirhX264oZMa9pV03T9li924NS"}}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := c.api("recording/download", tt.query, nil); r.ErrCode != 10004 {
				t.Errorf("errcode = %d, want 10004", r.ErrCode)
			}
			if got := s.Stats().InvalidTokenRequests; got != i+1 {
				t.Errorf("InvalidTokenRequests = %d, want %d", got, i+1)
			}
		})
	}
}

func TestUserAgentRequired(t *testing.T) {
	s := newTestSim(t, Options{})
	s.AddRecording(Recording{ID: 1, File: "a.wav", Size: 10})
	c := newTestClient(t, s)
	tok := c.token()
	dl := c.downloadURL(tok, 1)
	c.ua = ""
	if r := c.link(tok, 1); r.ErrCode != 40002 {
		t.Errorf("recording/download without User-Agent: errcode %d, want 40002", r.ErrCode)
	}
	resp := c.download(dl, "")
	defer resp.Body.Close()
	if r := decodeResp(t, resp); r.ErrCode != 40002 {
		t.Errorf("download without User-Agent: errcode %d, want 40002", r.ErrCode)
	}
	st := s.Stats()
	if st.UserAgents[testUA] != 2 || st.UserAgents[""] != 2 {
		t.Errorf("UserAgents = %v, want %q: 2 and \"\": 2", st.UserAgents, testUA)
	}
}

func TestRouting(t *testing.T) {
	s := newTestSim(t, Options{APIPath: "/custom/v2/"})
	c := newTestClient(t, s)
	tests := []struct {
		name, method, path string
		wantStatus         int
	}{
		{"custom API path", http.MethodPost, "/custom/v2/get_token", http.StatusOK},
		{"default path is gone", http.MethodPost, "/openapi/v1.0/get_token", http.StatusNotFound},
		{"unknown endpoint", http.MethodGet, "/custom/v2/nope", http.StatusNotFound},
		{"wrong method", http.MethodGet, "/custom/v2/get_token", http.StatusMethodNotAllowed},
		{"download wrong method", http.MethodPost, "/api/download/x.wav", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := strings.NewReader(`{"username":"client-id","password":"client-secret"}`)
			req, err := http.NewRequestWithContext(t.Context(), tt.method, s.URL()+tt.path, body)
			if err != nil {
				t.Fatal(err)
			}
			resp := c.do(req)
			defer resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
		})
	}
}

func TestURLAndClose(t *testing.T) {
	if got := New(Options{}).URL(); got != "" {
		t.Errorf("New(...).URL() = %q, want empty", got)
	}
	s := NewServer(Options{})
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") || strings.HasSuffix(s.URL(), "/") {
		t.Errorf("URL() = %q, want http://127.0.0.1:PORT", s.URL())
	}
	s.Close()
	s.Close() // a second Close is harmless
}
