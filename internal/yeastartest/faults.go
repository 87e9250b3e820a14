package yeastartest

import (
	"slices"
	"strings"
)

// fault is one armed fault: it fires on the next left matching requests.
type fault struct {
	key         string // endpoint or file name; "" matches every file
	errcode     int    // FailAPI
	n           int64  // DropDownloadAfter, ShortDownload: body bytes to send
	contentType string // DownloadBody
	body        string // DownloadBody
	left        int
}

// faultList is a queue of armed faults of one kind, guarded by Simulator.mu.
type faultList []*fault

// arm adds f, or disarms every fault for f.key when f.left <= 0.
func (l *faultList) arm(f fault) {
	if f.left <= 0 {
		*l = slices.DeleteFunc(*l, func(g *fault) bool { return g.key == f.key })
		return
	}
	*l = append(*l, &f)
}

// take fires the first fault matching key, if any, and disarms it when used
// up. A fault armed for "" matches every file name.
func (l *faultList) take(key string, matchAll bool) (fault, bool) {
	for i, f := range *l {
		if f.key != key && !(matchAll && f.key == "") {
			continue
		}
		f.left--
		if f.left <= 0 {
			*l = slices.Delete(*l, i, i+1)
		}
		return *f, true
	}
	return fault{}, false
}

// faults holds every armed fault of a Simulator.
type faults struct {
	api, drop, short, body faultList
	throttle               map[string]int64 // file ("" = all) -> bytes per second
}

// throttleFor returns the throttle for file, 0 meaning none.
func (f *faults) throttleFor(file string) int64 {
	if bps, ok := f.throttle[file]; ok {
		return bps
	}
	return f.throttle[""]
}

// FailAPI makes the next times requests to endpoint (e.g. "get_token",
// "recording/download") answer errcode, with the documented errmsg, instead
// of being served. The request must still carry a User-Agent. times <= 0
// disarms the faults armed for endpoint.
func (s *Simulator) FailAPI(endpoint string, errcode int, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.api.arm(fault{key: strings.Trim(endpoint, "/"), errcode: errcode, left: times})
}

// DropDownloadAfter makes the next times downloads of file send the headers
// (with the full Content-Length) and n body bytes, then close the TCP
// connection abruptly. n counts from the start of the response body, so for
// a 206 from the range start. file "" matches every recording; times <= 0
// disarms.
func (s *Simulator) DropDownloadAfter(file string, n int64, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.drop.arm(fault{key: file, n: n, left: times})
}

// ShortDownload makes the next times downloads of file declare the full
// Content-Length but send only n body bytes and end the response, which makes
// net/http close the connection. file "" matches every recording; times <= 0
// disarms. A drop armed for the same download takes precedence.
func (s *Simulator) ShortDownload(file string, n int64, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.short.arm(fault{key: file, n: n, left: times})
}

// DownloadBody makes the next times downloads of file (with a valid token and
// link) answer HTTP 200 with contentType and body instead of audio, like a
// PBX that answers a JSON error or an HTML page. file "" matches every
// recording; times <= 0 disarms.
func (s *Simulator) DownloadBody(file string, contentType, body string, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.body.arm(fault{key: file, contentType: contentType, body: body, left: times})
}

// ThrottleDownload limits downloads of file to about bytesPerSecond, until
// called again with 0. It also slows downloads already streaming. file ""
// applies to every recording without its own throttle.
func (s *Simulator) ThrottleDownload(file string, bytesPerSecond int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if bytesPerSecond <= 0 {
		delete(s.faults.throttle, file)
		return
	}
	s.faults.throttle[file] = bytesPerSecond
}

// RevokeAll invalidates every access and refresh token issued so far.
func (s *Simulator) RevokeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens.revokeAll()
}

// Unblock lifts every login block (70004) and forgets failed logins, as an
// administrator does in the PBX portal.
func (s *Simulator) Unblock() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.loginFailures)
}
