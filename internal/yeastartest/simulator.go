package yeastartest

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Recording is one call recording the simulator can serve. Its bytes are
// Content(File, Size).
type Recording struct {
	ID   int
	File string
	Size int64
	// Time is when the call was recorded; zero means the file name's
	// leading YYYYMMDDhhmmss in the PBX's time zone (Options.TimeZone).
	Time time.Time
	// Call details recording/search and recording/list report.
	UID, CallFrom, CallTo, CallType string
	Duration                        int
}

// link is a download_resource_url handed out by recording/download.
type link struct {
	rec     Recording
	expires time.Time
}

// Simulator is an in-process Yeastar P-Series OpenAPI. It is an http.Handler;
// NewServer also runs it under httptest. Its methods are safe for concurrent
// use.
type Simulator struct {
	opts      Options
	apiPrefix string
	srv       *httptest.Server
	done      chan struct{} // closed by Close: stops streaming downloads
	closeOnce sync.Once

	mu            sync.Mutex
	byID          map[int]Recording
	byFile        map[string]Recording
	tokens        tokenStore
	links         map[string]link // by decoded URL path
	loginFailures map[string]int  // consecutive failed logins by caller IP
	faults        faults
	stats         Stats
	index         searchIndex // recording/search and recording/list
	system        *SystemInfo // system/information; nil: the defaults (system.go)
}

// New returns a Simulator configured by opts, ready to serve as a handler.
func New(opts Options) *Simulator {
	opts = opts.withDefaults()
	return &Simulator{
		opts:          opts,
		apiPrefix:     "/" + opts.APIPath + "/",
		done:          make(chan struct{}),
		byID:          map[int]Recording{},
		byFile:        map[string]Recording{},
		tokens:        newTokenStore(),
		links:         map[string]link{},
		loginFailures: map[string]int{},
		faults:        faults{throttle: map[string]int64{}},
		stats:         Stats{APIRequests: map[string]int{}, UserAgents: map[string]int{}},
	}
}

// NewServer returns a Simulator served by an httptest.Server listening on
// 127.0.0.1. The caller must Close it.
func NewServer(opts Options) *Simulator {
	s := New(opts)
	s.srv = httptest.NewServer(s)
	return s
}

// URL returns the base URL of the server started by NewServer, e.g.
// http://127.0.0.1:PORT without trailing slash, or "" for a Simulator made
// by New.
func (s *Simulator) URL() string {
	if s.srv == nil {
		return ""
	}
	return s.srv.URL
}

// Close stops downloads being streamed and, for NewServer, shuts the server
// down. It is safe to call more than once.
func (s *Simulator) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		if s.srv != nil {
			s.srv.CloseClientConnections()
			s.srv.Close()
		}
	})
}

// AddRecording makes r available for download, replacing any recording with
// the same ID.
func (s *Simulator) AddRecording(r Recording) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.byID[r.ID]; ok {
		delete(s.byFile, old.File)
	}
	s.byID[r.ID] = r
	s.byFile[r.File] = r
	s.index.invalidate()
}

// Stats returns a snapshot of what clients have done so far.
func (s *Simulator) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.ValidTokens = s.tokens.valid(s.opts.Now())
	return s.stats.clone()
}

// ServeHTTP serves the API under /{APIPath}/ and downloads under
// /api/download/.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, DownloadPrefix):
		s.serveDownload(w, r)
	case strings.HasPrefix(r.URL.Path, s.apiPrefix):
		s.serveAPI(w, r, strings.TrimPrefix(r.URL.Path, s.apiPrefix))
	default:
		http.NotFound(w, r)
	}
}

// seeUserAgent records r's User-Agent; s.mu must be held.
func (s *Simulator) seeUserAgent(r *http.Request) string {
	ua := r.UserAgent()
	s.stats.UserAgents[ua]++
	return ua
}

// callerIP returns the IP a request came from, the key of login blocking.
func callerIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
