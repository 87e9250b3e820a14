package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/pbxregistry"
	"github.com/recording-sync/recording-sync/pkg/reconcile"
	"github.com/recording-sync/recording-sync/pkg/recording"
)

// The PBX set builds a PBX's reconciler when first asked for, keeps it
// while the PBX's entry stays the same, builds a new one when it changes
// (a rotated secret), answers default with the environment's own, and
// knows no PBX the registry lacks.
func TestReconcilePBXsBuildOncePerEntry(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pbxs.json")
	write := func(secret string) {
		body := `{"hq":{"base_url":"https://hq.example:8088","client_id":"c","client_secret":"` + secret + `"}}`
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("first-secret")
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	reg, err := pbxregistry.New(t.Context(), pbxregistry.File(path), &pbxregistry.Options{
		Default: &pbxregistry.Entry{BaseURL: "https://pbx.example"}, Refresh: time.Minute, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	def := reconcile.New(nil, nil, "b", recording.KeyTemplate{}, nil, nil, nil)
	var builds []string
	set := &reconcilePBXs{reg: reg, def: def, built: map[string]builtPBX{}, build: func(e pbxregistry.Entry) (*reconcile.Reconciler, error) {
		builds = append(builds, e.ClientSecret)
		return reconcile.New(nil, nil, "b", recording.KeyTemplate{}, nil, nil, nil), nil
	}}
	first, ok, err := set.Runner(t.Context(), "hq")
	again, _, _ := set.Runner(t.Context(), "hq")
	if err != nil || !ok || first != again || len(builds) != 1 {
		t.Fatalf("hq: ok %v err %v, %d builds; want one, kept", ok, err, len(builds))
	}
	write("rotated-secret")
	now = now.Add(2 * time.Minute)
	if rotated, _, _ := set.Runner(t.Context(), "hq"); rotated == first || len(builds) != 2 || builds[1] != "rotated-secret" {
		t.Errorf("after rotation: builds %v, want a new reconciler with the new secret", builds)
	}
	if r, ok, err := set.Runner(t.Context(), recording.DefaultPBX); !ok || err != nil || r != reconcile.Runner(def) {
		t.Errorf("default: %v %v %v, want the environment's reconciler", r, ok, err)
	}
	if _, ok, err := set.Runner(t.Context(), "branch"); ok || err != nil {
		t.Errorf("unknown PBX: ok %v err %v, want not configured", ok, err)
	}
}

// A registry's PBX over plain HTTP is refused unless PBX_ALLOW_HTTP allows
// it: its tokens would cross the network in clear.
func TestReconcilePBXOverHTTPNeedsAllowHTTP(t *testing.T) {
	e := pbxregistry.Entry{ID: "hq", BaseURL: "http://hq.example:8088"}
	err := reconcileEnv{}.checkScheme(e)
	if err == nil || !strings.Contains(err.Error(), "PBX hq: base_url must be https://") {
		t.Errorf("http without PBX_ALLOW_HTTP: %v, want refused naming the PBX", err)
	}
	if err := (reconcileEnv{cfg: config.Config{PBXAllowHTTP: true}}).checkScheme(e); err != nil {
		t.Errorf("http with PBX_ALLOW_HTTP: %v", err)
	}
	if err := (reconcileEnv{}).checkScheme(pbxregistry.Entry{ID: "hq", BaseURL: "https://hq.example"}); err != nil {
		t.Errorf("https: %v", err)
	}
}
