package main

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/localenv/localenvtest"
	"github.com/recording-sync/recording-sync/internal/secretstest"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/webhook"
)

// fleetStack is a stack whose registry lists three PBXs beside the
// default one of the environment: pbx-1 and pbx-2 healthy, pbx-3 with a
// client secret it does not accept.
type fleetStack struct {
	*stack
	fleet *yeastartest.Fleet
	reg   yeastartest.Registry
}

// newFleetStack starts a fleetStack, each PBX holding one recording made
// an hour ago, listed in PBX_REGISTRY_FILE. The webhook serves each PBX
// at pbx/<id> with the secrets of webhookSecrets (nil: the registry's).
func newFleetStack(t *testing.T, webhookSecrets map[string]string) *fleetStack {
	t.Helper()
	s := newStack(t)
	at := time.Now().Add(-time.Hour).UTC()
	var specs []yeastartest.PBXSpec
	for i, id := range yeastartest.FleetIDs(3) {
		rec := yeastartest.Recording{ID: 70 + i, File: at.Format("20060102150405") + "-1700000100." + id + "-2001-2002-Internal.wav", Size: 1 << 16, Time: at}
		specs = append(specs, yeastartest.PBXSpec{ID: id, Recordings: []yeastartest.Recording{rec}, Fault: yeastartest.Fault{WrongCredentials: id == "pbx-3"}})
	}
	f, path := localenvtest.StartFleet(t, specs)
	t.Setenv("PBX_REGISTRY_FILE", path)
	reg := f.Registry()
	if webhookSecrets == nil {
		webhookSecrets = map[string]string{}
		for id, e := range reg {
			webhookSecrets[id] = e.WebhookSecret
		}
	}
	lookup := func(_ context.Context, id string) (string, bool, error) {
		secret, ok := webhookSecrets[id]
		return secret, ok, nil
	}
	wh := webhookServer(t, new(atomic.Int64), &webhook.Options{PBXs: webhook.NewPBXKeyrings(lookup, nil)})
	t.Setenv("WEBHOOK_URL", wh.URL+"/")
	return &fleetStack{stack: s, fleet: f, reg: reg}
}

// section returns the lines of PBX id's section of out, or fails t.
func section(t *testing.T, out, id string) string {
	t.Helper()
	for _, part := range strings.Split(out, "\n\n") {
		if strings.HasPrefix(part, "PBX "+id+" ") {
			return part
		}
	}
	t.Fatalf("no section for PBX %s in:\n%s", id, out)
	return ""
}

// noSection fails t when out has a section for PBX id.
func noSection(t *testing.T, out, id string) {
	t.Helper()
	if strings.Contains(out, "\nPBX "+id+" ") {
		t.Errorf("a section for PBX %s, which was not to be checked:\n%s", id, out)
	}
}

// fleetSecrets are every secret of the fleet's registry: none may be printed.
func (s *fleetStack) noFleetSecrets(t *testing.T, out string) {
	t.Helper()
	noSecrets(t, out)
	for id, e := range s.reg {
		for _, v := range []string{e.ClientSecret, e.WebhookSecret, s.fleet.PBX(id).ClientSecret} {
			if strings.Contains(out, v) {
				t.Errorf("output contains a secret of PBX %s", id)
			}
		}
	}
}

func TestFleetEveryPBX(t *testing.T) {
	s := newFleetStack(t, nil)
	code, out := runCheck(t)
	if code != 1 {
		t.Errorf("exit %d, want 1: pbx-3 fails", code)
	}
	wantLine(t, out, "PBX registry", "ok", "PBX_REGISTRY_FILE", "4 PBX(s): default, pbx-1, pbx-2, pbx-3; checking default, pbx-1, pbx-2, pbx-3")
	wantLine(t, out, "bucket", "ok")
	wantLine(t, out, "queue", "ok")
	def := section(t, out, "default")
	wantLine(t, def, "login", "ok", "get_token as "+testClientID)
	wantLine(t, def, "webhook", "ok", "401")
	for _, id := range []string{"pbx-1", "pbx-2"} {
		sec := section(t, out, id)
		wantLine(t, sec, "reach PBX", "warn", "plain HTTP", "base_url of PBX "+id+" in PBX_REGISTRY_FILE is http://")
		wantLine(t, sec, "login", "ok", "get_token as "+s.reg[id].ClientID)
		wantLine(t, sec, "recording/search", "ok", "-1700000100."+id+"-2001-2002-Internal.wav")
		wantLine(t, sec, "recording/download", "ok", "not downloaded")
		wantLine(t, sec, "webhook", "ok", "/pbx/"+id+" reachable", "401")
		if strings.Contains(sec, "FAIL") {
			t.Errorf("PBX %s failed a step:\n%s", id, sec)
		}
	}
	bad := section(t, out, "pbx-3")
	wantLine(t, bad, "login", "FAIL", "refused the client ID or secret", "no further PBX request",
		"client_id and client_secret of PBX pbx-3 in PBX_REGISTRY_FILE", "block of this IP after 5 failures")
	wantLine(t, out, "PBXs", "FAIL", "1 of 4 failed: pbx-3; passed: default, pbx-1, pbx-2")
	for _, p := range s.fleet.PBXs() {
		st := p.Sim.Stats()
		if st.GetTokenCalls != 1 {
			t.Errorf("%s: get_token calls %d, want 1: one login per PBX per run", p.ID, st.GetTokenCalls)
		}
		if st.DownloadsStarted != 0 {
			t.Errorf("%s: %d downloads started, want none", p.ID, st.DownloadsStarted)
		}
	}
	if f := s.fleet.PBX("pbx-3").Faults(); f.FailedLogins != 1 || f.BlockedLogins != 0 {
		t.Errorf("pbx-3: %d failed and %d blocked logins, want 1 and 0: the wrong credentials fired once", f.FailedLogins, f.BlockedLogins)
	}
	if st := s.fleet.PBX("pbx-3").Sim.Stats(); st.APIRequests["recording/search"] != 0 {
		t.Error("pbx-3 was searched after its failed login")
	}
	if st := s.sim.Stats(); st.GetTokenCalls != 1 || st.DeletedTokens != 1 {
		t.Errorf("default: get_token %d, del_token %d; want 1, 1", st.GetTokenCalls, st.DeletedTokens)
	}
	s.noFleetSecrets(t, out)
}

func TestFleetOnePBX(t *testing.T) {
	tests := []struct {
		pbx    string
		code   int
		status string
		parts  []string
	}{
		{"pbx-2", 0, "ok", []string{"every PBX checked passed: pbx-2"}},
		{"pbx-3", 1, "FAIL", []string{"1 of 1 failed: pbx-3; passed: none"}},
		{"default", 0, "ok", []string{"every PBX checked passed: default"}},
	}
	for _, tt := range tests {
		t.Run(tt.pbx, func(t *testing.T) {
			s := newFleetStack(t, nil)
			code, out := runCheck(t, "--pbx", tt.pbx)
			if code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			wantLine(t, out, "PBX registry", "ok", "checking "+tt.pbx)
			section(t, out, tt.pbx)
			wantLine(t, out, "PBXs", tt.status, tt.parts...)
			logins := map[string]int{"default": s.sim.Stats().GetTokenCalls}
			for _, p := range s.fleet.PBXs() {
				logins[p.ID] = p.Sim.Stats().GetTokenCalls
			}
			for id, n := range logins {
				want := 0
				if id == tt.pbx {
					want = 1
				} else {
					noSection(t, out, id)
				}
				if n != want {
					t.Errorf("%s: get_token calls %d, want %d", id, n, want)
				}
			}
			s.noFleetSecrets(t, out)
		})
	}
}

func TestFleetUnknownPBX(t *testing.T) {
	s := newFleetStack(t, nil)
	code, out := runCheck(t, "-pbx", "pbx-9")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	wantLine(t, out, "PBX registry", "FAIL", `no PBX "pbx-9": the PBXs are default, pbx-1, pbx-2, pbx-3`, "-> name one of them with --pbx")
	for _, id := range []string{"default", "pbx-1", "pbx-2", "pbx-3"} {
		noSection(t, out, id)
	}
	for _, p := range s.fleet.PBXs() {
		if n := p.Sim.Stats().GetTokenCalls; n != 0 {
			t.Errorf("%s: get_token calls %d, want none for an unknown id", p.ID, n)
		}
	}
	wantLine(t, out, "bucket", "ok")
}

func TestPBXWithoutRegistry(t *testing.T) {
	s := newStack(t)
	code, out := runCheck(t, "--pbx", "hq")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	wantLine(t, out, "PBX registry", "FAIL", `no PBX "hq": no PBX registry is configured, the one PBX is default`, "PBX_SECRET_PREFIX")
	if n := s.sim.Stats().GetTokenCalls; n != 0 {
		t.Errorf("get_token calls %d, want none", n)
	}
}

func TestFleetWebhookPerPBX(t *testing.T) {
	// The webhook knows pbx-1 without its secret yet, and not pbx-2.
	s := newFleetStack(t, map[string]string{"pbx-1": "", "pbx-3": ""})
	code, out := runCheck(t)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	wantLine(t, section(t, out, "pbx-1"), "webhook", "warn", "/pbx/pbx-1 answered 503", "no webhook_secret of PBX pbx-1 stored yet", "-> add the webhook in the PBX portal with this URL")
	wantLine(t, section(t, out, "pbx-2"), "webhook", "FAIL", "/pbx/pbx-2 answered 404", "does not serve PBX pbx-2", "every 5 minutes")
	wantLine(t, out, "PBXs", "FAIL", "2 of 4 failed: pbx-2, pbx-3; passed: default, pbx-1")
	s.noFleetSecrets(t, out)
}

func TestFleetFromSecrets(t *testing.T) {
	s := newFleetStack(t, nil)
	sm := secretstest.New()
	t.Cleanup(sm.Close)
	const prefix = "recording-sync/pbx/"
	for _, id := range []string{"pbx-1", "pbx-3"} {
		b, err := json.Marshal(s.reg[id]) //nolint:gosec // G117: the secret's value is the entry, secrets included
		if err != nil {
			t.Fatal(err)
		}
		sm.Put(prefix+id, string(b))
	}
	sm.Create(prefix + "pbx-4") // created, no value stored yet
	t.Setenv("PBX_REGISTRY_FILE", "")
	t.Setenv("PBX_SECRET_PREFIX", prefix)
	name, value, _ := strings.Cut(sm.Env()[0], "=")
	t.Setenv(name, value)
	code, out := runCheck(t)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	wantLine(t, out, "PBX registry", "warn", "PBX_SECRET_PREFIX "+prefix+": 3 PBX(s): default, pbx-1, pbx-3",
		"not served: "+prefix+"pbx-4 (no value stored)")
	wantLine(t, section(t, out, "pbx-1"), "login", "ok")
	wantLine(t, section(t, out, "pbx-3"), "login", "FAIL", "client_id and client_secret of PBX pbx-3 in the secret "+prefix+"pbx-3")
	noSection(t, out, "pbx-2")
	wantLine(t, out, "PBXs", "FAIL", "1 of 3 failed: pbx-3")
	if n := sm.Lists(); n != 1 {
		t.Errorf("ListSecrets requests %d, want 1: the registry is read once per run", n)
	}
	s.noFleetSecrets(t, out)
}

func TestFleetWithoutDefault(t *testing.T) {
	s := newFleetStack(t, nil)
	for _, name := range []string{"PBX_BASE_URL", "PBX_CLIENT_ID", "PBX_CLIENT_SECRET", "PBX_CA_CERT"} {
		t.Setenv(name, "")
	}
	code, out := runCheck(t)
	if code != 1 {
		t.Errorf("exit %d, want 1: pbx-3 fails", code)
	}
	wantLine(t, out, "configuration", "ok", "PBX (none)")
	wantLine(t, out, "PBX registry", "ok", "3 PBX(s): pbx-1, pbx-2, pbx-3")
	noSection(t, out, "default")
	wantLine(t, section(t, out, "pbx-2"), "recording/download", "ok")
	wantLine(t, out, "PBXs", "FAIL", "1 of 3 failed: pbx-3; passed: pbx-1, pbx-2")
	if n := s.sim.Stats().GetTokenCalls; n != 0 {
		t.Errorf("the environment's PBX got %d get_token calls without PBX_BASE_URL", n)
	}
}
