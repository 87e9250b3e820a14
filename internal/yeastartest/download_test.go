package yeastartest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestDownload(t *testing.T) {
	const size = 200003
	recs := map[string]Recording{
		"wav": {ID: 1, File: "20220412173331-1649756009.12-2002-2005-Internal.wav", Size: size},
		"mp3": {ID: 2, File: "20220412173331-1649756009.13-+4930-2005-Inbound.mp3", Size: size},
	}
	tests := []struct {
		name        string
		rec         string
		disable     bool
		rng         string
		wantStatus  int
		wantType    string
		from, to    int64 // expected bytes of Content
		wantRange   string
		wantOffset  int64 // recorded in Stats.DownloadRanges
		wantStarted int
	}{
		{"whole wav", "wav", false, "", 200, "audio/x-wav", 0, size, "", 0, 1},
		{"whole mp3 with + in name", "mp3", false, "", 200, "audio/mpeg", 0, size, "", 0, 1},
		{"open range", "wav", false, "bytes=100001-", 206, "audio/x-wav", 100001, size, "bytes 100001-200002/200003", 100001, 1},
		{"closed range", "wav", false, "bytes=5-1000", 206, "audio/x-wav", 5, 1001, "bytes 5-1000/200003", 5, 1},
		{"range past end clamps", "wav", false, "bytes=200000-999999", 206, "audio/x-wav", 200000, size, "bytes 200000-200002/200003", 200000, 1},
		{"last byte", "mp3", false, "bytes=200002-", 206, "audio/mpeg", 200002, size, "bytes 200002-200002/200003", 200002, 1},
		{"suffix range", "wav", false, "bytes=-10", 206, "audio/x-wav", size - 10, size, "bytes 199993-200002/200003", size - 10, 1},
		{"unsatisfiable", "wav", false, "bytes=200003-", 416, "", 0, 0, "bytes */200003", 0, 0},
		{"malformed range ignored", "wav", false, "bytes=x-", 200, "audio/x-wav", 0, size, "", 0, 1},
		{"multiple ranges ignored", "wav", false, "bytes=0-1,5-9", 200, "audio/x-wav", 0, size, "", 0, 1},
		{"DisableRange serves all", "wav", true, "bytes=1000-", 200, "audio/x-wav", 0, size, "", 1000, 1},
		{"DisableRange never 416", "wav", true, "bytes=999999-", 200, "audio/x-wav", 0, size, "", 999999, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestSim(t, Options{DisableRange: tt.disable})
			rec := recs[tt.rec]
			s.AddRecording(rec)
			c := newTestClient(t, s)
			resp := c.download(c.downloadURL(c.token(), rec.ID), tt.rng)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatalf("read body: %v", err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if got := resp.Header.Get("Content-Range"); got != tt.wantRange {
				t.Errorf("Content-Range = %q, want %q", got, tt.wantRange)
			}
			if got, want := resp.Header.Get("Accept-Ranges"), map[bool]string{false: "bytes", true: ""}[tt.disable]; tt.wantStatus != 416 && got != want {
				t.Errorf("Accept-Ranges = %q, want %q", got, want)
			}
			st := s.Stats()
			if st.DownloadsStarted != tt.wantStarted || st.DownloadsCompleted != tt.wantStarted {
				t.Errorf("started %d, completed %d; want %d", st.DownloadsStarted, st.DownloadsCompleted, tt.wantStarted)
			}
			if tt.wantStatus == 416 {
				return
			}
			if got := resp.Header.Get("Content-Type"); got != tt.wantType {
				t.Errorf("Content-Type = %q, want %q", got, tt.wantType)
			}
			if resp.ContentLength != tt.to-tt.from {
				t.Errorf("Content-Length = %d, want %d", resp.ContentLength, tt.to-tt.from)
			}
			if !bytes.Equal(body, contentBytes(t, rec.File, rec.Size, tt.from, tt.to)) {
				t.Errorf("body (%d bytes) differs from Content[%d:%d]", len(body), tt.from, tt.to)
			}
			if !slices.Equal(st.DownloadRanges, []int64{tt.wantOffset}) || st.DownloadBytes != tt.to-tt.from {
				t.Errorf("DownloadRanges %v, DownloadBytes %d; want [%d], %d", st.DownloadRanges, st.DownloadBytes, tt.wantOffset, tt.to-tt.from)
			}
		})
	}
}

func TestDownloadRangesInOrder(t *testing.T) {
	s := newTestSim(t, Options{})
	s.AddRecording(Recording{ID: 1, File: "a.wav", Size: 1000})
	c := newTestClient(t, s)
	u := c.downloadURL(c.token(), 1)
	for _, rng := range []string{"", "bytes=10-", "bytes=500-599", ""} {
		resp := c.download(u, rng) // one link serves any number of requests
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	st := s.Stats()
	if want := []int64{0, 10, 500, 0}; !slices.Equal(st.DownloadRanges, want) {
		t.Errorf("DownloadRanges = %v, want %v", st.DownloadRanges, want)
	}
	if st.DownloadBytes != 1000+990+100+1000 || st.DownloadsCompleted != 4 {
		t.Errorf("DownloadBytes %d, completed %d", st.DownloadBytes, st.DownloadsCompleted)
	}
}

func TestDownloadRefused(t *testing.T) {
	tests := []struct {
		name        string
		mangle      func(t *testing.T, s *Simulator, u string) string
		wantInvalid int // Stats.InvalidTokenRequests
		wantLinks   int // Stats.InvalidLinkRequests
		advance     time.Duration
	}{
		{"no token", func(_ *testing.T, _ *Simulator, u string) string { return strings.Split(u, "?")[0] }, 1, 0, 0},
		{"unknown token", func(_ *testing.T, _ *Simulator, u string) string {
			return strings.Split(u, "?")[0] + "?access_token=WQMR0cuirhX264oZMa9pV03T9li924NS"
		}, 1, 0, 0},
		{"revoked token", func(_ *testing.T, s *Simulator, u string) string { s.RevokeAll(); return u }, 1, 0, 0},
		{"unknown link", func(_ *testing.T, _ *Simulator, u string) string {
			return strings.Replace(u, "/api/download/", "/api/download/x", 1)
		}, 0, 1, 0},
		{"expired link", func(_ *testing.T, _ *Simulator, u string) string { return u }, 0, 1, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			s := newTestSim(t, Options{DownloadLinkLifetime: time.Minute, Now: clock.Now})
			s.AddRecording(Recording{ID: 1, File: "a.wav", Size: 1000})
			c := newTestClient(t, s)
			u := tt.mangle(t, s, c.downloadURL(c.token(), 1))
			clock.Advance(tt.advance)
			resp := c.download(u, "")
			defer resp.Body.Close()
			if r := decodeResp(t, resp); r.ErrCode != 10004 || r.ErrMsg != "TOKEN EXPIRED" {
				t.Fatalf("got %d %q, want 10004 TOKEN EXPIRED", r.ErrCode, r.ErrMsg)
			}
			st := s.Stats()
			if revoked := strings.HasPrefix(tt.name, "revoked"); revoked != (st.Faults.Revoked == 1) {
				t.Errorf("Faults.Revoked = %d for %s", st.Faults.Revoked, tt.name)
			}
			if st.InvalidTokenRequests != tt.wantInvalid || st.InvalidLinkRequests != tt.wantLinks || st.DownloadsStarted != 0 {
				t.Errorf("invalid tokens %d, invalid links %d, started %d; want %d, %d, 0",
					st.InvalidTokenRequests, st.InvalidLinkRequests, st.DownloadsStarted, tt.wantInvalid, tt.wantLinks)
			}
		})
	}
}

func TestDownloadLinkWithPlusInPath(t *testing.T) {
	const file = "20220101-1.1-+4930 1-2005-Inbound.wav" // a space must be escaped in the link
	s := newTestSim(t, Options{})
	s.AddRecording(Recording{ID: 1, File: file, Size: 64})
	c := newTestClient(t, s)
	tok := c.token()
	r := c.api("recording/download", url.Values{"access_token": {tok}, "file": {file}}, nil)
	if r.ErrCode != 0 || r.File != file {
		t.Fatalf("recording/download: %d, file %q", r.ErrCode, r.File)
	}
	resp := c.download(s.URL()+r.DownloadResourceURL+"?access_token="+tok, "")
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 || !bytes.Equal(body, contentBytes(t, file, 64, 0, 64)) {
		t.Fatalf("download %s: status %d, %d bytes, err %v", r.DownloadResourceURL, resp.StatusCode, len(body), err)
	}
}

// The first download streams, throttled, in a goroutine of a synctest
// bubble, called in process: once the bubble is idle it is certainly under
// way, and once its request is cancelled it has certainly ended.
func TestMP3SingleDownload(t *testing.T) {
	tests := []struct {
		name       string
		single     bool
		second     int // recording downloaded while the first streams
		wantSecond int // errcode of recording/download and of the download
	}{
		{"second mp3 refused", true, 2, 70082},
		{"same mp3 refused", true, 1, 70082},
		{"wav still allowed", true, 3, 0},
		{"off: mp3 allowed", false, 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := newMemSim(t, Options{MP3SingleDownload: tt.single})
				s.AddRecording(Recording{ID: 1, File: "a.mp3", Size: 1 << 20})
				s.AddRecording(Recording{ID: 2, File: "b.MP3", Size: 1000})
				s.AddRecording(Recording{ID: 3, File: "c.wav", Size: 1000})
				c := newMemClient(t, s)
				tok := c.token()
				secondURL := c.downloadURL(tok, tt.second) // links taken while idle still work
				s.ThrottleDownload("a.mp3", 64<<10)
				ctx, cancel := context.WithCancel(t.Context())
				req := c.getRequest(ctx, c.downloadURL(tok, 1))
				first := make(chan string, 1)
				go func() {
					resp, err := c.hc.Do(req)
					if err != nil {
						first <- err.Error()
						return
					}
					resp.Body.Close()
					first <- fmt.Sprint(resp.StatusCode, " ", resp.Header.Get("Content-Type"))
				}()
				synctest.Wait() // the first download is streaming
				if st := s.Stats(); st.ActiveDownloads != 1 {
					t.Fatalf("%d downloads active, want the first one", st.ActiveDownloads)
				}
				if r := c.link(tok, tt.second); r.ErrCode != tt.wantSecond {
					t.Errorf("recording/download during a download: errcode %d, want %d", r.ErrCode, tt.wantSecond)
				}
				resp := c.download(secondURL, "")
				defer resp.Body.Close()
				if tt.wantSecond != 0 {
					if r := decodeResp(t, resp); r.ErrCode != tt.wantSecond || r.ErrMsg != "OVERLOAD_TASK_RUNNING" {
						t.Errorf("download during a download: %d %q, want %d", r.ErrCode, r.ErrMsg, tt.wantSecond)
					}
				} else if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "audio/") {
					t.Errorf("download during a download: %d %s, want audio", resp.StatusCode, resp.Header.Get("Content-Type"))
				}
				wantRefusals := 0
				if tt.wantSecond != 0 {
					wantRefusals = 2 // the API's answer and the download's
				}
				if st := s.Stats(); st.MP3Refusals != wantRefusals {
					t.Errorf("MP3Refusals = %d, want %d", st.MP3Refusals, wantRefusals)
				}
				cancel() // the client goes away
				if got := <-first; got != "200 audio/mpeg" {
					t.Errorf("first download: %s, want 200 audio/mpeg", got)
				}
				if st := s.Stats(); st.ActiveDownloads != 0 {
					t.Errorf("%d downloads active after the first one ended", st.ActiveDownloads)
				}
				if r := c.link(tok, 2); r.ErrCode != 0 {
					t.Errorf("recording/download after the download: errcode %d", r.ErrCode)
				}
			})
		})
	}
}

func TestMP3SequentialDownloadsNeverOverload(t *testing.T) {
	s := newTestSim(t, Options{MP3SingleDownload: true})
	s.AddRecording(Recording{ID: 1, File: "a.mp3", Size: 100000})
	s.AddRecording(Recording{ID: 2, File: "empty.mp3", Size: 0})
	c := newTestClient(t, s)
	tok := c.token()
	for i := range 20 {
		id := 1 + i%2
		resp := c.download(c.downloadURL(tok, id), "") // fails the test on 70082
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.Header.Get("Content-Type") != "audio/mpeg" {
			t.Fatalf("download %d: %d bytes of %s, %v", i+1, n, resp.Header.Get("Content-Type"), err)
		}
		// Once the client has the whole body, Stats already shows it.
		if st := s.Stats(); st.DownloadsCompleted != i+1 || st.ActiveDownloads != 0 {
			t.Fatalf("after download %d: completed %d, active %d", i+1, st.DownloadsCompleted, st.ActiveDownloads)
		}
	}
}

func TestConcurrentDownloads(t *testing.T) {
	s := newTestSim(t, Options{})
	c := newTestClient(t, s)
	tok := c.token()
	const n = 8
	urls := make([]string, n)
	for i := range n {
		s.AddRecording(Recording{ID: i, File: "r" + strconv.Itoa(i) + ".wav", Size: 300000})
		urls[i] = c.downloadURL(tok, i)
	}
	errs := make(chan error, n)
	for i, u := range urls {
		go func() {
			resp, err := c.hc.Get(u + "&n=" + strconv.Itoa(i))
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			_, err = io.Copy(io.Discard, resp.Body)
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if st := s.Stats(); st.DownloadsCompleted != n || st.DownloadBytes != n*300000 {
		t.Errorf("completed %d, bytes %d", st.DownloadsCompleted, st.DownloadBytes)
	}
}
