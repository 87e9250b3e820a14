package yeastartest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"
)

// newTestFleet starts a fleet of specs, closed at cleanup.
func newTestFleet(t *testing.T, specs []PBXSpec, opts FleetOptions) *Fleet {
	t.Helper()
	f, err := NewFleet(specs, opts)
	if err != nil {
		t.Fatalf("NewFleet: %v", err)
	}
	t.Cleanup(f.Close)
	return f
}

// specsFor returns healthy specs for ids.
func specsFor(ids ...string) []PBXSpec {
	specs := make([]PBXSpec, len(ids))
	for i, id := range ids {
		specs[i] = PBXSpec{ID: id}
	}
	return specs
}

// fleetClient is a test client of one PBX of a fleet, at its URL.
func fleetClient(t *testing.T, p *PBX) *testClient {
	return &testClient{t: t, s: p.Sim, base: p.URL, hc: &http.Client{Timeout: 30 * time.Second}, ua: testUA}
}

func TestFleetCredentialsArePerPBX(t *testing.T) {
	f := newTestFleet(t, specsFor(FleetIDs(3)...), FleetOptions{})
	reg := f.Registry()
	if len(reg) != 3 {
		t.Fatalf("registry has %d entries, want 3", len(reg))
	}
	seen := map[string]bool{}
	for _, p := range f.PBXs() {
		e := reg[p.ID]
		for _, v := range []string{e.BaseURL, e.ClientID, e.ClientSecret, e.WebhookSecret} {
			if seen[v] {
				t.Errorf("%s: %q is shared with another PBX", p.ID, v)
			}
			seen[v] = true
		}
		if len(e.WebhookSecret) != 32 {
			t.Errorf("%s: webhook secret of %d characters, want 32 as a PBX shows", p.ID, len(e.WebhookSecret))
		}
	}
	for _, at := range f.PBXs() {
		c := fleetClient(t, at)
		for _, from := range f.PBXs() {
			e := reg[from.ID]
			r := c.login(e.ClientID, e.ClientSecret)
			if want := map[bool]int{true: 0, false: ErrCodeFailure}[at == from]; r.ErrCode != want {
				t.Errorf("%s's credentials at %s: errcode %d, want %d", from.ID, at.ID, r.ErrCode, want)
			}
		}
		if st := at.Sim.Stats(); st.TokensIssued != 1 || st.FailedLogins != 2 {
			t.Errorf("%s: %d tokens issued, %d failed logins; want 1 and 2", at.ID, st.TokensIssued, st.FailedLogins)
		}
	}

	tok := fleetClient(t, f.PBX("pbx-1")).token2(reg["pbx-1"])
	other := f.PBX("pbx-2")
	if r := fleetClient(t, other).link(tok, fleetSharedID); r.ErrCode != ErrCodeTokenExpired {
		t.Errorf("pbx-1's token at pbx-2: errcode %d, want %d", r.ErrCode, ErrCodeTokenExpired)
	}
	if n := other.Sim.Stats().InvalidTokenRequests; n != 1 {
		t.Errorf("pbx-2 counted %d refused tokens, want 1", n)
	}
}

// token2 logs in with e's credentials and returns the access token.
func (c *testClient) token2(e RegistryEntry) string {
	c.t.Helper()
	r := c.login(e.ClientID, e.ClientSecret)
	if r.ErrCode != 0 {
		c.t.Fatalf("get_token: errcode %d %s", r.ErrCode, r.ErrMsg)
	}
	return r.AccessToken
}

// TestFleetRecordingsOverlap: by default every PBX holds a recording with
// the same id and file name, but other bytes.
func TestFleetRecordingsOverlap(t *testing.T) {
	f := newTestFleet(t, specsFor("hq", "branch"), FleetOptions{})
	reg := f.Registry()
	sizes := map[string]int64{}
	for _, p := range f.PBXs() {
		c := fleetClient(t, p)
		tok := c.token2(reg[p.ID])
		r := c.link(tok, fleetSharedID)
		if r.ErrCode != 0 || r.File != fleetSharedFile {
			t.Fatalf("%s: recording/download id %d: errcode %d, file %q; want %q", p.ID, fleetSharedID, r.ErrCode, r.File, fleetSharedFile)
		}
		resp := c.download(c.downloadURL(tok, fleetSharedID), "")
		resp.Body.Close()
		sizes[p.ID] = resp.ContentLength
		if r := c.link(tok, fleetOwnID); r.ErrCode != 0 || !strings.Contains(r.File, "-2003-5550100-") {
			t.Errorf("%s: its own recording: errcode %d, file %q", p.ID, r.ErrCode, r.File)
		}
	}
	if sizes["hq"] != 64<<10 || sizes["branch"] != 128<<10 {
		t.Errorf("sizes of %s: %v, want 64 KiB at hq and 128 KiB at branch", fleetSharedFile, sizes)
	}
	if FleetRecordings(1)[1].File == FleetRecordings(2)[1].File {
		t.Error("each PBX's own recording should have a name of its own")
	}
}

func TestFleetDownRefusesConnections(t *testing.T) {
	f := newTestFleet(t, []PBXSpec{{ID: "up"}, {ID: "down", Fault: Fault{Down: true}}}, FleetOptions{})
	down := f.PBX("down")
	u, err := url.Parse(down.URL)
	if err != nil {
		t.Fatal(err)
	}
	var d net.Dialer
	conn, err := d.DialContext(t.Context(), "tcp", u.Host)
	if err == nil {
		conn.Close()
		t.Fatalf("dial %s: connected, want connection refused", u.Host)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial %s: %v, want connection refused", u.Host, err)
	}
	if f.Registry()["down"].BaseURL != down.URL {
		t.Error("the registry should name a down PBX too")
	}
	up := f.PBX("up")
	if r := fleetClient(t, up).login(up.ClientID, up.ClientSecret); r.ErrCode != 0 {
		t.Errorf("the PBX beside a down one: errcode %d", r.ErrCode)
	}
}

func TestFleetWrongCredentialsBlockAfterFive(t *testing.T) {
	f := newTestFleet(t, []PBXSpec{{ID: "good"}, {ID: "bad", Fault: Fault{WrongCredentials: true}}}, FleetOptions{})
	bad, reg := f.PBX("bad"), f.Registry()
	if e := reg["bad"]; e.ClientSecret == bad.ClientSecret || len(e.ClientSecret) != len(bad.ClientSecret) || e.ClientID != bad.ClientID {
		t.Fatal("the registry should hold the right client id and a wrong secret of the same length")
	}
	c := fleetClient(t, bad)
	for i := range maxLoginFailures {
		if r := c.login(reg["bad"].ClientID, reg["bad"].ClientSecret); r.ErrCode != ErrCodeFailure {
			t.Fatalf("login %d: errcode %d, want %d", i+1, r.ErrCode, ErrCodeFailure)
		}
	}
	// Blocked now, even with the right secret: the PBX blocks the IP.
	if r := c.login(bad.ClientID, bad.ClientSecret); r.ErrCode != ErrCodeAccountIPBlocked {
		t.Fatalf("login after %d failures: errcode %d, want %d", maxLoginFailures, r.ErrCode, ErrCodeAccountIPBlocked)
	}
	if got := bad.Faults(); got.FailedLogins != 5 || got.BlockedLogins != 1 {
		t.Errorf("faults = %+v, want 5 failed and 1 blocked login", got)
	}
	good := f.PBX("good")
	if r := fleetClient(t, good).login(reg["good"].ClientID, reg["good"].ClientSecret); r.ErrCode != 0 {
		t.Errorf("the other PBX: errcode %d, want 0", r.ErrCode)
	}
}

// TestFleetSlowInjectedClock drives the delay with a fake clock over
// loopback: the answer comes once the clock has moved by the delay, and a
// client that gives up gets none.
func TestFleetSlowInjectedClock(t *testing.T) {
	clock := newFakeClock()
	f := newTestFleet(t, []PBXSpec{{ID: "slow", Fault: Fault{Slow: time.Second}}}, FleetOptions{Sleep: clock.Sleep})
	p := f.PBX("slow")
	c := fleetClient(t, p)
	answered := make(chan apiResp, 1)
	go func() { answered <- c.login(p.ClientID, p.ClientSecret) }()
	clock.AwaitSleepers(t, 1) // the slow PBX holds a request
	select {
	case r := <-answered:
		t.Fatalf("answered (errcode %d) before the delay", r.ErrCode)
	default:
	}
	clock.Advance(time.Second)
	if r := <-answered; r.ErrCode != 0 {
		t.Fatalf("get_token after the delay: errcode %d", r.ErrCode)
	}

	ctx, cancel := context.WithCancel(t.Context())
	req := c.getRequest(ctx, p.URL+"/"+DefaultAPIPath+"/del_token")
	failed := make(chan error, 1)
	go func() {
		resp, err := c.hc.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		failed <- err
	}()
	clock.AwaitSleepers(t, 1) // the slow PBX holds a request
	cancel()
	if err := <-failed; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled request: %v, want context.Canceled", err)
	}
	// Close waits for the handlers: the abandoned call is counted once its
	// handler has seen the cancellation, which comes after the client's.
	f.Close()
	if got := p.Faults(); got.Slowed != 2 || got.SlowAbandoned != 1 {
		t.Errorf("faults = %+v, want 2 API calls slowed, 1 abandoned", got)
	}
}

// TestFleetSlowSynctest calls a slow PBX's handler in a synctest bubble:
// the default delay runs on the bubble's clock, and downloads are not
// delayed.
func TestFleetSlowSynctest(t *testing.T) {
	f := newTestFleet(t, []PBXSpec{{ID: "slow", Fault: Fault{Slow: 1500 * time.Millisecond}}}, FleetOptions{})
	p := f.PBX("slow")
	synctest.Test(t, func(t *testing.T) {
		c := &testClient{t: t, s: p.Sim, base: "http://pbx.test", hc: &http.Client{Transport: memTransport{p}}, ua: testUA}
		start := time.Now()
		tok := c.token2(p.Entry())
		if d := time.Since(start); d != 1500*time.Millisecond {
			t.Errorf("get_token took %v, want 1.5s", d)
		}
		u := c.downloadURL(tok, fleetOwnID)
		start = time.Now()
		resp := c.download(u, "")
		resp.Body.Close()
		if d := time.Since(start); resp.StatusCode != http.StatusOK || d != 0 {
			t.Errorf("download: HTTP %d after %v, want 200 at once", resp.StatusCode, d)
		}
	})
	if got := p.Faults(); got.Slowed != 2 || got.SlowAbandoned != 0 {
		t.Errorf("faults = %+v, want 2 API calls slowed, none abandoned", got)
	}
}

func TestNewFleetRejectsBadIDs(t *testing.T) {
	for _, ids := range [][]string{{"Upper"}, {""}, {strings.Repeat("a", 33)}, {"a_b"}, {"a", "a"}} {
		f, err := NewFleet(specsFor(ids...), FleetOptions{})
		if err == nil {
			f.Close()
			t.Errorf("NewFleet(%q): no error", ids)
		}
	}
	if ids := FleetIDs(3); strings.Join(ids, ",") != "pbx-1,pbx-2,pbx-3" {
		t.Errorf("FleetIDs(3) = %v", ids)
	}
	if !ValidPBXID(strings.Repeat("a", 32)) || !ValidPBXID("pbx-"+strconv.Itoa(10)) {
		t.Error("a 32-character id and pbx-10 should be valid")
	}
}

func TestFaultString(t *testing.T) {
	tests := map[Fault]string{
		{}:                       "",
		{Down: true}:             "down",
		{Slow: time.Second}:      "slow 1s",
		{WrongCredentials: true}: "wrong credentials",
		{Slow: 2 * time.Second, WrongCredentials: true}: "slow 2s, wrong credentials",
	}
	for f, want := range tests {
		if got := f.String(); got != want {
			t.Errorf("%#v.String() = %q, want %q", f, got, want)
		}
	}
}
