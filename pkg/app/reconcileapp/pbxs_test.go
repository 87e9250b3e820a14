package reconcileapp

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/internal/apptest"
	"github.com/recording-sync/recording-sync/pkg/app"
	"github.com/recording-sync/recording-sync/pkg/pbxregistry"
	"github.com/recording-sync/recording-sync/pkg/reconcile"
	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/redact"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// The PBX set builds a PBX's reconciler when first asked for, on the
// pool's client, keeps it while the PBX's entry stays the same, builds a
// new one when it changes (a rotated secret), and knows no PBX the
// registry lacks.
func TestReconcilePBXsBuildOncePerEntry(t *testing.T) {
	reg, path, cfg := apptest.Registry(t)
	pool := app.NewPool(reg, cfg, s3.New(s3.Options{Region: "us-east-1"}), redact.New())
	var builds []string
	set := &reconcilePBXs{pool: pool, built: map[string]builtPBX{}, build: func(e pbxregistry.Entry, c *yeastar.Client) (*reconcile.Reconciler, error) {
		builds = append(builds, e.ClientSecret)
		return reconcile.New(c, nil, "bucket", cfg.KeyTemplate, nil, nil, nil), nil
	}}
	first, ok, err := set.Runner(t.Context(), "hq")
	again, _, _ := set.Runner(t.Context(), "hq")
	if err != nil || !ok || first != again || len(builds) != 1 {
		t.Fatalf("hq: ok %v err %v, %d builds; want one, kept", ok, err, len(builds))
	}
	apptest.WriteRegistry(t, path, strings.Replace(apptest.TwoPBXs, "hq-secret-0123456789", "hq-rotated-0123456789", 1))
	if rotated, _, _ := set.Runner(t.Context(), "hq"); rotated == first || len(builds) != 2 || builds[1] != "hq-rotated-0123456789" {
		t.Errorf("after rotation: builds %v, want a new reconciler with the new secret", builds)
	}
	if _, ok, err := set.Runner(t.Context(), "nowhere"); ok || err != nil {
		t.Errorf("unknown PBX: ok %v err %v, want not configured", ok, err)
	}
	if ids, err := set.IDs(t.Context()); err != nil || strings.Join(ids, ",") != "branch,hq" {
		t.Errorf("IDs = %v %v, want branch,hq", ids, err)
	}
}

// A key template with {pbx} becomes each PBX's own, so that the presence
// check lists that PBX's keys alone; one without stays as it is.
func TestKeysFor(t *testing.T) {
	withPBX, _ := recording.ParseKeyTemplate("recordings/{pbx}/{yyyy}/{file}")
	got, err := keysFor(withPBX, "hq")
	if err != nil || got.String() != "recordings/hq/{yyyy}/{file}" || got.UsesPBX() {
		t.Errorf("keysFor(%s, hq) = %q, %v", withPBX, got, err)
	}
	plain, _ := recording.ParseKeyTemplate("recordings/{file}")
	if got, err := keysFor(plain, "hq"); err != nil || got != plain {
		t.Errorf("keysFor(%s, hq) = %q, %v, want it unchanged", plain, got, err)
	}
}
