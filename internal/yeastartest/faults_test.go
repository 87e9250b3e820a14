package yeastartest

import (
	"bytes"
	"errors"
	"io"
	"net/url"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestFailAPI(t *testing.T) {
	tests := []struct {
		name, endpoint string
		errcode, times int
		call           func(c *testClient, tok string) apiResp
	}{
		{"get_token internal error twice", "get_token", -2, 2, func(c *testClient, _ string) apiResp {
			return c.login(testClientID, testClientSecret)
		}},
		{"recording/download not found once", "recording/download", 60001, 1, func(c *testClient, tok string) apiResp {
			return c.link(tok, 1)
		}},
		{"leading slash accepted", "/recording/download", 70123, 3, func(c *testClient, tok string) apiResp {
			return c.link(tok, 1)
		}},
		{"refresh_token access denied", "refresh_token", 10005, 1, func(c *testClient, _ string) apiResp {
			return c.api("refresh_token", nil, map[string]string{"refresh_token": c.login(testClientID, testClientSecret).RefreshToken})
		}},
		{"del_token unknown code", "del_token", 12345, 1, func(c *testClient, tok string) apiResp {
			return c.api("del_token", url.Values{"access_token": {tok}}, nil)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestSim(t, Options{})
			s.AddRecording(Recording{ID: 1, File: "a.wav", Size: 10})
			c := newTestClient(t, s)
			tok := c.token()
			s.FailAPI(tt.endpoint, tt.errcode, tt.times)
			for i := range tt.times {
				if r := tt.call(c, tok); r.ErrCode != tt.errcode || r.ErrMsg != ErrMsg(tt.errcode) {
					t.Fatalf("call %d: got %d %q, want %d %q", i+1, r.ErrCode, r.ErrMsg, tt.errcode, ErrMsg(tt.errcode))
				}
			}
			if r := tt.call(c, tok); r.ErrCode != 0 {
				t.Fatalf("after %d faults: errcode %d, want 0", tt.times, r.ErrCode)
			}
			if got := s.Stats().Faults; got != (FaultCounts{API: tt.times}) {
				t.Errorf("Faults = %+v, want API %d", got, tt.times)
			}
		})
	}
}

func TestFailAPIDisarm(t *testing.T) {
	s := newTestSim(t, Options{})
	c := newTestClient(t, s)
	s.FailAPI("get_token", -2, 5)
	s.FailAPI("get_token", 0, 0)
	c.token()
	if got := ErrMsg(12345); got != "FAILURE" {
		t.Errorf("ErrMsg(unknown) = %q, want FAILURE", got)
	}
}

// dropped and short are the counts of one dropped and one short download.
var (
	dropped = FaultCounts{Dropped: 1}
	short   = FaultCounts{Short: 1}
)

func TestBrokenDownloads(t *testing.T) {
	const size = 1 << 20
	tests := []struct {
		name      string
		arm       func(s *Simulator)
		rng       string
		wantFrom  int64 // Content offset of the first body byte
		wantBytes int64 // body bytes the client gets before the error
		fired     FaultCounts
	}{
		{"drop after 1000", func(s *Simulator) { s.DropDownloadAfter("a.wav", 1000, 1) }, "", 0, 1000, dropped},
		{"drop after 0", func(s *Simulator) { s.DropDownloadAfter("a.wav", 0, 1) }, "", 0, 0, dropped},
		{"drop for every file", func(s *Simulator) { s.DropDownloadAfter("", 300000, 1) }, "", 0, 300000, dropped},
		{"drop counts from range start", func(s *Simulator) { s.DropDownloadAfter("a.wav", 777, 1) }, "bytes=5000-", 5000, 777, dropped},
		{"short after 1000", func(s *Simulator) { s.ShortDownload("a.wav", 1000, 1) }, "", 0, 1000, short},
		{"short after 0", func(s *Simulator) { s.ShortDownload("a.wav", 0, 1) }, "", 0, 0, short},
		{"short in a range", func(s *Simulator) { s.ShortDownload("a.wav", 99999, 1) }, "bytes=1000-", 1000, 99999, short},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestSim(t, Options{})
			s.AddRecording(Recording{ID: 1, File: "a.wav", Size: size})
			s.AddRecording(Recording{ID: 2, File: "other.wav", Size: 10})
			c := newTestClient(t, s)
			u := c.downloadURL(c.token(), 1)
			tt.arm(s)
			resp := c.download(u, tt.rng)
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("read error = %v, want unexpected EOF", err)
			}
			if resp.ContentLength != size-tt.wantFrom {
				t.Errorf("Content-Length = %d, want the full %d", resp.ContentLength, size-tt.wantFrom)
			}
			if int64(len(body)) != tt.wantBytes || !bytes.Equal(body, contentBytes(t, "a.wav", size, tt.wantFrom, tt.wantFrom+tt.wantBytes)) {
				t.Fatalf("got %d bytes, want Content[%d:+%d]", len(body), tt.wantFrom, tt.wantBytes)
			}
			// The fault fired once: the next download is whole.
			resp = c.download(u, "")
			defer resp.Body.Close()
			if n, err := io.Copy(io.Discard, resp.Body); err != nil || n != size {
				t.Fatalf("next download: %d bytes, %v", n, err)
			}
			if st := s.Stats(); st.DownloadsStarted != 2 || st.DownloadsCompleted != 1 {
				t.Errorf("started %d, completed %d; want 2, 1", st.DownloadsStarted, st.DownloadsCompleted)
			}
			if got := s.Stats().Faults; got != tt.fired {
				t.Errorf("Faults = %+v, want %+v", got, tt.fired)
			}
		})
	}
}

func TestDropBeforeShort(t *testing.T) {
	s := newTestSim(t, Options{})
	s.AddRecording(Recording{ID: 1, File: "a.wav", Size: 1000})
	c := newTestClient(t, s)
	u := c.downloadURL(c.token(), 1)
	s.ShortDownload("a.wav", 10, 1)
	s.DropDownloadAfter("a.wav", 20, 1)
	for i, want := range []int{20, 10, 1000} { // the drop fires first, the short waits
		resp := c.download(u, "")
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if len(body) != want || (want < 1000) != errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("download %d: %d bytes, %v; want %d", i+1, len(body), err, want)
		}
	}
	if got := s.Stats().Faults; got != (FaultCounts{Dropped: 1, Short: 1}) {
		t.Errorf("Faults = %+v, want one drop and one short", got)
	}
}

func TestDownloadBody(t *testing.T) {
	tests := []struct {
		name, file, contentType, body string
		times                         int
	}{
		{"JSON error", "a.wav", "application/json", `{"errcode":10004,"errmsg":"TOKEN EXPIRED"}`, 1},
		{"HTML page twice", "a.wav", "text/html; charset=utf-8", "<html><body>Login</body></html>", 2},
		{"every file", "", "text/plain", "nope", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestSim(t, Options{})
			s.AddRecording(Recording{ID: 1, File: "a.wav", Size: 5000})
			c := newTestClient(t, s)
			u := c.downloadURL(c.token(), 1)
			s.DownloadBody("other.wav", "text/plain", "not for a.wav", 1)
			s.DownloadBody(tt.file, tt.contentType, tt.body, tt.times)
			for i := range tt.times {
				resp := c.download(u, "")
				got, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != tt.contentType || string(got) != tt.body {
					t.Fatalf("download %d: %d %q %q %v", i+1, resp.StatusCode, resp.Header.Get("Content-Type"), got, err)
				}
			}
			resp := c.download(u, "")
			defer resp.Body.Close()
			if n, err := io.Copy(io.Discard, resp.Body); err != nil || n != 5000 || resp.Header.Get("Content-Type") != "audio/x-wav" {
				t.Fatalf("after the fault: %d bytes of %s, %v", n, resp.Header.Get("Content-Type"), err)
			}
			if got := s.Stats().Faults; got != (FaultCounts{Body: tt.times}) {
				t.Errorf("Faults = %+v, want Body %d", got, tt.times)
			}
		})
	}
}

// The throttle runs on the simulator's timers: in a synctest bubble, with
// the handler called in process, a download takes exactly size/rate on the
// bubble's fake clock and no real time.
func TestThrottleDownload(t *testing.T) {
	const size = 40 << 10
	tests := []struct {
		name string
		file string
		bps  int64
		want time.Duration
		// throttled: downloads the throttle slowed
		throttled int
	}{
		{"throttled file", "a.wav", 100 << 10, 400 * time.Millisecond, 1},
		{"every file", "", 100 << 10, 400 * time.Millisecond, 1},
		{"other file only", "b.wav", 1, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := newMemSim(t, Options{})
				s.AddRecording(Recording{ID: 1, File: "a.wav", Size: size})
				c := newMemClient(t, s)
				u := c.downloadURL(c.token(), 1)
				s.ThrottleDownload(tt.file, tt.bps)
				if d := timedDownload(t, c, u, size); d != tt.want {
					t.Errorf("throttled download took %v, want %v", d, tt.want)
				}
				s.ThrottleDownload(tt.file, 0)
				if d := timedDownload(t, c, u, size); d != 0 {
					t.Errorf("download after reset took %v, want no wait", d)
				}
				if got := s.Stats().Faults; got != (FaultCounts{Throttled: tt.throttled}) {
					t.Errorf("Faults = %+v, want Throttled %d", got, tt.throttled)
				}
			})
		})
	}
}

// timedDownload downloads u whole, checks that it has size bytes and
// returns how long it took.
func timedDownload(t *testing.T, c *testClient, u string, size int64) time.Duration {
	t.Helper()
	start := time.Now()
	resp := c.download(u, "")
	defer resp.Body.Close()
	if n, err := io.Copy(io.Discard, resp.Body); err != nil || n != size {
		t.Fatalf("download: %d bytes, %v; want %d", n, err, size)
	}
	return time.Since(start)
}

func TestCloseStopsThrottledDownload(t *testing.T) {
	s := NewServer(Options{ClientID: testClientID, ClientSecret: testClientSecret})
	s.AddRecording(Recording{ID: 1, File: "a.wav", Size: 1 << 20})
	c := newTestClient(t, s)
	s.ThrottleDownload("", 1024)
	resp := c.download(c.downloadURL(c.token(), 1), "")
	defer resp.Body.Close()
	s.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err == nil || !strings.Contains(err.Error(), "EOF") {
		t.Errorf("reading after Close: %v, want an unexpected EOF", err)
	}
}

// Close stops a throttled download at once: on the bubble's clock the
// handler streaming it returns without any time passing.
func TestCloseStopsThrottledDownloadAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const size = 1 << 20 // 1024 s at the throttle
		s := newMemSim(t, Options{})
		s.AddRecording(Recording{ID: 1, File: "a.wav", Size: size})
		c := newMemClient(t, s)
		u := c.downloadURL(c.token(), 1)
		s.ThrottleDownload("", 1024)
		req := c.getRequest(t.Context(), u)
		got := make(chan int64, 1)
		go func() {
			// The handler runs in this goroutine's RoundTrip.
			resp, err := c.hc.Do(req)
			if err != nil || resp.Header.Get("Content-Type") != "audio/x-wav" {
				got <- -1
				return
			}
			defer resp.Body.Close()
			n, _ := io.Copy(io.Discard, resp.Body)
			got <- n
		}()
		synctest.Wait() // the download is waiting in the throttle
		start := time.Now()
		s.Close()
		n := <-got
		if took := time.Since(start); took != 0 {
			t.Errorf("the download ended %v after Close, want at once", took)
		}
		if n < 0 || n >= size {
			t.Errorf("the download sent %d bytes of %d (-1: no audio), want it cut short by Close", n, size)
		}
	})
}
