package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/clocktest"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

// pbxAnswer is the part of a PBX's answer the tests read.
type pbxAnswer struct {
	ErrCode     int    `json:"errcode"`
	AccessToken string `json:"access_token"`
	File        string `json:"file"`
}

// callPBX calls endpoint of the PBX at base: POST body as JSON, or GET
// with query q when body is nil.
func callPBX(ctx context.Context, base, endpoint string, q url.Values, body any) (pbxAnswer, error) {
	method, payload := http.MethodGet, io.Reader(nil)
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return pbxAnswer{}, err
		}
		method, payload = http.MethodPost, strings.NewReader(string(b))
	}
	req, err := http.NewRequestWithContext(ctx, method, base+"/openapi/v1.0/"+endpoint+"?"+q.Encode(), payload)
	if err != nil {
		return pbxAnswer{}, err
	}
	req.Header.Set("User-Agent", "pbxsim-test")
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return pbxAnswer{}, err
	}
	defer resp.Body.Close()
	var a pbxAnswer
	err = json.NewDecoder(resp.Body).Decode(&a)
	return a, err
}

// login calls get_token at e's PBX with creds.
func login(t *testing.T, base string, creds yeastartest.RegistryEntry) pbxAnswer {
	t.Helper()
	a, err := callPBX(t.Context(), base, "get_token", nil, map[string]string{"username": creds.ClientID, "password": creds.ClientSecret})
	if err != nil {
		t.Fatalf("get_token at %s: %v", base, err)
	}
	return a
}

// startTestFleet parses args and starts their fleet, closed at cleanup;
// the registry file is in a temporary folder.
func startTestFleet(t *testing.T, args []string, opts yeastartest.FleetOptions) (*yeastartest.Fleet, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pbx-registry.json")
	cfg, err := parseConfig(append(args, "-registry-file", path), func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	f, err := startFleet(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	return f, path
}

// TestFleetOwnCredentialsOnly starts 3 PBXs: each accepts its own
// credentials and tokens only, and the registry file reads back as the
// fleet's registry, readable by its owner only.
func TestFleetOwnCredentialsOnly(t *testing.T) {
	f, path := startTestFleet(t, []string{"-pbxs", "3"}, yeastartest.FleetOptions{})
	reg, err := yeastartest.ReadRegistry(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(reg) != 3 || !maps.Equal(reg, f.Registry()) {
		t.Fatalf("registry file %+v, want the fleet's %+v", reg, f.Registry())
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("registry file: %v, %v; want mode 0600", fi, err)
	}
	tokens := map[string]string{}
	for at, e := range reg {
		for from, creds := range reg {
			a := login(t, e.BaseURL, creds)
			if ok := a.ErrCode == 0; ok != (at == from) {
				t.Errorf("%s's credentials at %s: errcode %d", from, at, a.ErrCode)
			} else if ok {
				tokens[at] = a.AccessToken
			}
		}
	}
	a, err := callPBX(t.Context(), reg["pbx-2"].BaseURL, "recording/download", url.Values{"access_token": {tokens["pbx-1"]}, "id": {"1001"}}, nil)
	if err != nil || a.ErrCode != yeastartest.ErrCodeTokenExpired {
		t.Errorf("pbx-1's token at pbx-2: errcode %d, %v; want %d", a.ErrCode, err, yeastartest.ErrCodeTokenExpired)
	}
	if st := f.PBX("pbx-2").Sim.Stats(); st.InvalidTokenRequests != 1 || st.FailedLogins != 2 {
		t.Errorf("pbx-2 counted %d refused tokens and %d failed logins, want 1 and 2", st.InvalidTokenRequests, st.FailedLogins)
	}
	// Each PBX's own token opens its own recordings, whose names overlap.
	for id, tok := range tokens {
		a, err := callPBX(t.Context(), reg[id].BaseURL, "recording/download", url.Values{"access_token": {tok}, "id": {"1001"}}, nil)
		if err != nil || a.ErrCode != 0 || a.File != yeastartest.FleetRecordings(1)[0].File {
			t.Errorf("%s: recording 1001: errcode %d, file %q, %v", id, a.ErrCode, a.File, err)
		}
	}
}

// TestFleetFaultFlags starts a PBX of each fault beside a healthy one and
// checks that each fault strikes, and is counted, while the healthy PBX
// answers.
func TestFleetFaultFlags(t *testing.T) {
	clock := clocktest.New(time.Now())
	f, _ := startTestFleet(t, []string{"-pbxs", "4", "-fault", "pbx-2=down", "-fault", "pbx-3=slow:1s", "-fault", "pbx-4=badcreds"},
		yeastartest.FleetOptions{Sleep: clock.Sleep})
	reg := f.Registry()

	if _, err := callPBX(t.Context(), reg["pbx-2"].BaseURL, "get_token", nil, map[string]string{}); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("pbx-2 (down): %v, want connection refused", err)
	}

	slow := make(chan pbxAnswer, 1)
	go func() {
		a, _ := callPBX(t.Context(), reg["pbx-3"].BaseURL, "get_token", nil, map[string]string{"username": "x", "password": "y"})
		slow <- a
	}()
	clock.AwaitSleepers(t, 1) // the slow PBX holds a request
	// While pbx-3 holds its answer, the healthy PBX answers.
	if a := login(t, reg["pbx-1"].BaseURL, reg["pbx-1"]); a.ErrCode != 0 {
		t.Errorf("pbx-1 beside a slow PBX: errcode %d", a.ErrCode)
	}
	clock.Advance(time.Second)
	if a := <-slow; a.ErrCode != yeastartest.ErrCodeFailure {
		t.Errorf("pbx-3 after its delay: errcode %d, want %d", a.ErrCode, yeastartest.ErrCodeFailure)
	}
	if got := f.PBX("pbx-3").Faults(); got.Slowed != 1 {
		t.Errorf("pbx-3 faults %+v, want 1 call slowed", got)
	}

	for range 5 {
		if a := login(t, reg["pbx-4"].BaseURL, reg["pbx-4"]); a.ErrCode != yeastartest.ErrCodeFailure {
			t.Fatalf("pbx-4 (bad credentials): errcode %d, want %d", a.ErrCode, yeastartest.ErrCodeFailure)
		}
	}
	if a := login(t, reg["pbx-4"].BaseURL, reg["pbx-4"]); a.ErrCode != yeastartest.ErrCodeAccountIPBlocked {
		t.Errorf("pbx-4 after 5 failures: errcode %d, want %d", a.ErrCode, yeastartest.ErrCodeAccountIPBlocked)
	}
	if got := f.PBX("pbx-4").Faults(); got.FailedLogins != 5 || got.BlockedLogins != 1 {
		t.Errorf("pbx-4 faults %+v, want 5 failed logins and 1 blocked", got)
	}
}

// TestRunServesFleet runs the command with -pbxs: one line per PBX, the
// registry's line, and a clean exit on cancel.
func TestRunServesFleet(t *testing.T) {
	path := filepath.Join(t.TempDir(), "reg.json")
	out, stop := startRun(t, "-pbxs", "hq,branch", "-fault", "branch=slow:1s", "-registry-file", path)
	lines := bufio.NewScanner(out)
	var got []string
	for len(got) < 3 && lines.Scan() {
		got = append(got, lines.Text())
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	reg, err := yeastartest.ReadRegistry(path)
	if err != nil || len(got) != 3 {
		t.Fatalf("lines %q, registry %v", got, err)
	}
	want := []string{
		"PBX simulator hq listening on " + reg["hq"].BaseURL,
		"PBX simulator branch listening on " + reg["branch"].BaseURL + " (slow 1s)",
		"PBX registry written to " + path,
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d = %q, want %q", i+1, got[i], want[i])
		}
	}
	if a := login(t, reg["hq"].BaseURL, reg["hq"]); a.ErrCode != 0 {
		t.Errorf("hq: errcode %d", a.ErrCode)
	}
	stop()
}
