package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/pkg/webhook"
)

const (
	hqSecret     = "Qa1Ws2Ed3Rf4Tg5Yh6Uj7Ik8Ol9Pz0Xc"
	branchSecret = "Mn8Bv7Cx6Za5Sd4Fg3Hj2Kl1Po0Iu9Yt"
)

// registry is a LookupFunc over a map the test changes, counting lookups.
type registry struct {
	mu      sync.Mutex
	secrets map[string]string
	lookups map[string]int
}

func (r *registry) lookup(_ context.Context, id string) (string, bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lookups[id]++
	s, ok := r.secrets[id]
	return s, ok, nil
}

func (r *registry) set(id, secret string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secrets[id] = secret
}

func (r *registry) remove(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.secrets, id)
}

// routedHandler serves the default PBX with secret and the registry's
// PBXs by path.
func routedHandler(t *testing.T, s webhook.Sender, reg *registry, now func() time.Time) (*webhook.Handler, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	h, err := webhook.NewHandler(webhook.StaticKeyring(secret), s, slog.New(slog.NewJSONHandler(&logs, nil)),
		&webhook.Options{Now: now, PBXs: webhook.NewPBXKeyrings(reg.lookup, now)})
	if err != nil {
		t.Fatal(err)
	}
	return h, &logs
}

// TestRouting: each PBX's path is checked with that PBX's own secret and
// its recording queued with its id; the bare URL is the default PBX as
// before; another PBX's signature is 401; an unknown id or a malformed
// path is 404, before any secret is looked at.
func TestRouting(t *testing.T) {
	reg := &registry{secrets: map[string]string{"hq": hqSecret, "branch-2": branchSecret}, lookups: map[string]int{}}
	var s sender
	h, logs := routedHandler(t, &s, reg, func() time.Time { return arrival })
	cases := []struct {
		path, secret string
		status       int
		pbx          string // queued with this PBX; "-": nothing queued
	}{
		{"/", secret, 200, ""},
		{"", secret, 200, ""},
		{"/pbx/default", secret, 200, ""},
		{"/pbx/hq", hqSecret, 200, "hq"},
		{"/pbx/branch-2", branchSecret, 200, "branch-2"},
		{"/pbx/hq", branchSecret, 401, "-"},
		{"/pbx/hq", secret, 401, "-"},
		{"/", hqSecret, 401, "-"},
		{"/pbx/unknown", hqSecret, 404, "-"},
		{"/pbx/HQ", hqSecret, 404, "-"},
		{"/pbx/hq/", hqSecret, 404, "-"},
		{"/pbx/", hqSecret, 404, "-"},
		{"/pbx", hqSecret, 404, "-"},
		{"/other", secret, 404, "-"},
		{"/pbx/" + strings.Repeat("a", 33), hqSecret, 404, "-"},
	}
	for _, tc := range cases {
		s.refs = nil
		req := request("POST", withRecord, webhook.Sign([]byte(withRecord), tc.secret))
		req.RawPath = tc.path
		resp, err := h.Handle(t.Context(), req)
		if err != nil || resp.StatusCode != tc.status {
			t.Errorf("%q: answer %d, %v; want %d", tc.path, resp.StatusCode, err, tc.status)
			continue
		}
		switch {
		case tc.pbx == "-" && len(s.refs) != 0:
			t.Errorf("%q: queued %+v, want nothing", tc.path, s.refs)
		case tc.pbx != "-" && (len(s.refs) != 1 || s.refs[0].PBX != tc.pbx || s.refs[0].File != wavName):
			t.Errorf("%q: queued %+v, want %s with pbx %q", tc.path, s.refs, wavName, tc.pbx)
		}
	}
	if n := reg.lookups["unknown"]; n != 1 {
		t.Errorf("unknown id looked up %d times, want once (the cached registry, no secret read)", n)
	}
	if reg.lookups["HQ"] != 0 || reg.lookups["default"] != 0 {
		t.Errorf("lookups %v: a malformed id or the default PBX was looked up", reg.lookups)
	}
	for _, leak := range []string{secret, hqSecret, branchSecret} {
		if strings.Contains(logs.String(), leak) {
			t.Errorf("log shows a secret")
		}
	}
	if !strings.Contains(logs.String(), `"pbx":"hq"`) || !strings.Contains(logs.String(), "no PBX unknown is configured") {
		t.Errorf("log lines do not name the PBX or the unknown one:\n%s", logs)
	}
}

// TestRoutingRegistryChanges: a PBX removed from the registry is 404 at
// once; one added is served; a PBX listed without a webhook secret yet is
// 503 (the PBX retries until it is stored); a rotated secret is taken on
// the first signature that fails, the previous one still accepted.
func TestRoutingRegistryChanges(t *testing.T) {
	reg := &registry{secrets: map[string]string{"hq": hqSecret}, lookups: map[string]int{}}
	now := arrival
	var s sender
	h, _ := routedHandler(t, &s, reg, func() time.Time { return now })
	post := func(path, key string) int {
		req := request("POST", withRecord, webhook.Sign([]byte(withRecord), key))
		req.RawPath = path
		resp, err := h.Handle(t.Context(), req)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode
	}
	if got := post("/pbx/hq", hqSecret); got != 200 {
		t.Fatalf("hq: %d", got)
	}
	reg.remove("hq")
	reg.set("new", "")
	if got := post("/pbx/hq", hqSecret); got != 404 {
		t.Errorf("hq removed: %d, want 404", got)
	}
	if got := post("/pbx/new", hqSecret); got != 503 {
		t.Errorf("new without a webhook secret: %d, want 503", got)
	}
	reg.set("new", branchSecret)
	now = now.Add(webhook.RereadInterval)
	if got := post("/pbx/new", branchSecret); got != 200 {
		t.Errorf("new with its secret stored: %d, want 200", got)
	}
	reg.set("new", hqSecret) // rotated
	now = now.Add(webhook.RereadInterval)
	if got := post("/pbx/new", hqSecret); got != 200 {
		t.Errorf("new after rotation, new secret: %d, want 200", got)
	}
	if got := post("/pbx/new", branchSecret); got != 200 {
		t.Errorf("new after rotation, previous secret within its grace: %d, want 200", got)
	}
}

// TestRoutingWithoutDefault: with no secret of its own, the bare URL is
// the registry's default PBX, or 404 when it lists none.
func TestRoutingWithoutDefault(t *testing.T) {
	reg := &registry{secrets: map[string]string{"hq": hqSecret}, lookups: map[string]int{}}
	var s sender
	h, err := webhook.NewHandler(nil, &s, slog.New(slog.DiscardHandler), &webhook.Options{PBXs: webhook.NewPBXKeyrings(reg.lookup, nil)})
	if err != nil {
		t.Fatal(err)
	}
	req := request("POST", withRecord, webhook.Sign([]byte(withRecord), secret))
	if resp, _ := h.Handle(t.Context(), req); resp.StatusCode != 404 {
		t.Errorf("bare URL without a default PBX: %d, want 404", resp.StatusCode)
	}
	reg.set("default", secret)
	if resp, _ := h.Handle(t.Context(), req); resp.StatusCode != 200 || len(s.refs) != 1 || s.refs[0].PBX != "" {
		t.Errorf("bare URL with the registry's default: %d, %+v; want 200, queued without pbx", resp.StatusCode, s.refs)
	}
	if _, err := webhook.NewHandler(nil, &s, slog.New(slog.DiscardHandler), nil); !errors.Is(err, webhook.ErrNoSecret) {
		t.Errorf("no secrets at all: %v, want ErrNoSecret", err)
	}
}
