package yeastartest

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestWriteRegistryRoundTrips writes over a file readable by all: the new
// one is its owner's only, holds the contract's field names, and reads
// back as the fleet's registry.
func TestWriteRegistryRoundTrips(t *testing.T) {
	f := newTestFleet(t, []PBXSpec{{ID: "hq"}, {ID: "branch", Fault: Fault{WrongCredentials: true}}}, FleetOptions{})
	path := filepath.Join(t.TempDir(), "pbx-registry.json")
	if err := os.WriteFile(path, []byte("{}"), 0o644); err != nil { //nolint:gosec // G306: the wider mode is the point
		t.Fatal(err)
	}
	if err := f.WriteRegistry(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	got, err := ReadRegistry(path)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(got, f.Registry()) {
		t.Errorf("read back %+v, want %+v", got, f.Registry())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]map[string]string
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	want := []string{"base_url", "client_id", "client_secret", "webhook_secret"}
	for id, fields := range raw {
		if keys := slices.Sorted(maps.Keys(fields)); !slices.Equal(keys, want) {
			t.Errorf("%s: fields %v, want %v", id, keys, want)
		}
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("%d files beside the registry, want none", len(entries)-1)
	}
}

// TestPostCDRSignsWithItsOwnSecret: each PBX signs with its own webhook
// secret and names its own serial number.
func TestPostCDRSignsWithItsOwnSecret(t *testing.T) {
	f := newTestFleet(t, specsFor("hq", "branch"), FleetOptions{})
	hq, branch := f.PBX("hq"), f.PBX("branch")
	var sn string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("X-Signature") != WebhookSignature(body, hq.WebhookSecret) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var ev struct{ SN string }
		_ = json.Unmarshal(body, &ev)
		sn = ev.SN
	}))
	defer srv.Close()
	hc := &http.Client{Timeout: 10 * time.Second}
	cdr := CDRFor(fleetSharedFile)
	if status, _, err := hq.PostCDR(t.Context(), hc, srv.URL, cdr); err != nil || status != http.StatusOK || sn != hq.SN {
		t.Errorf("hq: HTTP %d, %v, sn %q; want 200 and %q", status, err, sn, hq.SN)
	}
	if status, _, err := branch.PostCDR(t.Context(), hc, srv.URL, cdr); err != nil || status != http.StatusUnauthorized {
		t.Errorf("branch to hq's receiver: HTTP %d, %v; want 401", status, err)
	}
	if hq.SN == branch.SN {
		t.Error("two PBXs with one serial number")
	}
}
