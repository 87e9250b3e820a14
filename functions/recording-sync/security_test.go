package main

import (
	"github.com/recording-sync/recording-sync/internal/localenv/localenvtest"

	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

// switchableFaults wraps the simulator with network faults a test turns on
// and off: connections to the API or to the download path broken before
// any answer.
type switchableFaults struct {
	breakAPI, breakDownload atomic.Bool
	broken                  atomic.Int64 // connections broken so far
}

func (f *switchableFaults) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		isDownload := strings.HasPrefix(r.URL.Path, "/api/download/")
		isLink := strings.HasSuffix(r.URL.Path, "/recording/download")
		if isDownload && f.breakDownload.Load() || isLink && f.breakAPI.Load() {
			f.broken.Add(1)
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				_ = conn.Close()
			}
			return
		}
		next.ServeHTTP(w, r)
	})
}

// TestNoSecretInAnyFailurePath provokes every failure path the function
// has and checks that no token, refresh token or client secret appears in
// any response or anywhere in the emulator's output.
func TestNoSecretInAnyFailurePath(t *testing.T) {
	proxy := localenvtest.FaultProxy(t, s3Server)
	faults := &switchableFaults{}
	st := newStack(t, stackOptions{pbxHandler: faults.wrap, s3Endpoint: proxy.URL, timeout: 6 * time.Second})
	var responses bytes.Buffer
	id := 60
	// fired counts the faults of one kind that struck so far; run checks
	// that the count grew, so that a fault switch that does nothing fails.
	run := func(name, wantType string, arm, disarm func(rec yeastartest.Recording), fired func() int) {
		t.Run(name, func(t *testing.T) {
			id++
			rec := yeastartest.Recording{ID: id, File: recordingFile(id, "wav"), Size: 12 * mib}
			st.sim.AddRecording(rec)
			before := fired()
			arm(rec)
			defer disarm(rec)
			inv := st.invoke(t, fmt.Sprintf(`{"id": %d}`, id))
			responses.Write(inv.raw)
			if inv.ErrorType != wantType {
				t.Errorf("response %s, want errorType %s", inv.raw, wantType)
			}
			if fired() == before {
				t.Errorf("the fault never fired")
			}
		})
	}
	nothing := func(yeastartest.Recording) {}
	simFaults := func(kind func(yeastartest.FaultCounts) int) func() int {
		return func() int { return kind(st.sim.Stats().Faults) }
	}
	// A first success, so that tokens exist that could leak later; its
	// "fault" is the token it gets.
	run("success", "", nothing, nothing, func() int { return st.sim.Stats().TokensIssued })
	run("revoked token, twice in a row", "", func(yeastartest.Recording) { st.sim.RevokeAll() }, nothing,
		simFaults(func(c yeastartest.FaultCounts) int { return c.Revoked }))
	run("network error on the API", "RetryableError", func(yeastartest.Recording) { faults.breakAPI.Store(true) },
		func(yeastartest.Recording) { faults.breakAPI.Store(false) }, func() int { return int(faults.broken.Load()) })
	run("network error on the download", "RetryableError", func(yeastartest.Recording) { faults.breakDownload.Store(true) },
		func(yeastartest.Recording) { faults.breakDownload.Store(false) }, func() int { return int(faults.broken.Load()) })
	run("PBX error text echoing the token", "PermanentError", func(rec yeastartest.Recording) {
		tokens := st.sim.IssuedTokens()
		body := fmt.Sprintf(`{"errcode":10005,"errmsg":"ACCESS DENIED for access_token %s (refresh %s)"}`, tokens[len(tokens)-2], tokens[len(tokens)-1])
		st.sim.DownloadBody(rec.File, "application/json", body, 1000)
	}, nothing, simFaults(func(c yeastartest.FaultCounts) int { return c.Body }))
	run("S3 error during a part", "RetryableError", func(yeastartest.Recording) { proxy.FailUploadPart("1") },
		func(yeastartest.Recording) { proxy.FailUploadPart("") }, proxy.Failed)
	run("timeout", "TimeoutError", func(rec yeastartest.Recording) { st.sim.ThrottleDownload(rec.File, 1*mib) },
		func(rec yeastartest.Recording) { st.sim.ThrottleDownload(rec.File, 0) },
		simFaults(func(c yeastartest.FaultCounts) int { return c.Throttled }))
	if len(st.sim.IssuedTokens()) < 4 {
		t.Fatalf("only %d tokens issued: the revocation path was not exercised", len(st.sim.IssuedTokens()))
	}
	assertNoSecrets(t, st.sim, "the invocation responses", responses.String())
	assertNoSecrets(t, st.sim, "the emulator's output", st.out.String())
	if !strings.Contains(st.out.String(), "REDACTED") {
		t.Errorf("nothing was redacted: the echoed token never reached the output, the test proved less than it claims")
	}
	st.assertNothingStoredBut(t, 2)
}

// countingListener counts the connections it accepts.
type countingListener struct {
	net.Listener
	accepted atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.accepted.Add(1)
	}
	return c, err
}

// TestForeignDownloadURLRefused: a PBX answer whose download_resource_url
// points anywhere but the PBX itself is refused before any request is sent,
// so the access token never leaves the PBX.
func TestForeignDownloadURLRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	other := &countingListener{Listener: ln}
	victim := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	victim.Listener = other
	victim.Start()
	defer victim.Close()
	host := strings.TrimPrefix(victim.URL, "http://")

	var foreign atomic.Value
	rewrite := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasSuffix(r.URL.Path, "/recording/download") {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			var body map[string]any
			if err := json.NewDecoder(rec.Body).Decode(&body); err == nil && body["errcode"] == float64(0) {
				body["download_resource_url"] = foreign.Load().(string)
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(body)
		})
	}
	st := newStack(t, stackOptions{pbxHandler: rewrite})
	st.sim.AddRecording(yeastartest.Recording{ID: 1, File: recordingFile(1, "wav"), Size: mib})
	for _, u := range []string{
		"http://" + host + "/api/download/x.wav",
		"//" + host + "/api/download/x.wav",
		"/\\" + host + "/api/download/x.wav",
		"http://user@" + host + "/x.wav",
		"https://" + host + "/x.wav",
		"api/download/x.wav",
	} {
		t.Run(u, func(t *testing.T) {
			foreign.Store(u)
			inv := st.invoke(t, `{"id": 1}`)
			if inv.ErrorType != "PermanentError" || !strings.Contains(inv.ErrorMessage, "download_resource_url") {
				t.Errorf("response %s, want a PermanentError refusing the download URL", inv.raw)
			}
		})
	}
	// A connection the function opened would have been queued on the
	// listener before its invocation answered. The listener accepts in
	// order, so once a probe dialled now is served, every such connection
	// has been accepted and counted: the probe must be the only one.
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, victim.URL+"/probe", nil)
	if err != nil {
		t.Fatal(err)
	}
	probe, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("probe: %v", err)
	}
	probe.Body.Close()
	if n := other.accepted.Load(); n != 1 {
		t.Errorf("the foreign listener received %d connections besides the probe, want 0", n-1)
	}
	if s := st.sim.Stats(); s.DownloadsStarted != 0 {
		t.Errorf("%d downloads started", s.DownloadsStarted)
	}
	st.assertNothingStored(t)
}
