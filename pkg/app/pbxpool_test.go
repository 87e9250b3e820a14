package app

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/internal/apptest"
	"github.com/recording-sync/recording-sync/pkg/copier"
	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/redact"
)

// TestPoolBuildsPerPBXAndRebuildsOnChange: a PBX's client is built once,
// registers the PBX's secrets, is kept while its entry is unchanged, and
// built again when it changes; an unknown id is an InvalidInputError; a
// plain-HTTP PBX is refused without PBX_ALLOW_HTTP.
func TestPoolBuildsPerPBXAndRebuildsOnChange(t *testing.T) {
	reg, path, cfg := apptest.Registry(t)
	red := redact.New()
	pool := NewPool(reg, cfg, s3.New(s3.Options{Region: "us-east-1"}), red)
	first, err := pool.PBX(t.Context(), "hq")
	if err != nil {
		t.Fatalf("PBX(hq): %v", err)
	}
	if again, _ := pool.PBX(t.Context(), "hq"); again != first {
		t.Error("PBX(hq) built a second client for the same entry")
	}
	if got := red.String("x hq-secret-0123456789"); strings.Contains(got, "hq-secret") {
		t.Errorf("the PBX's client secret is not registered with the redactor: %q", got)
	}
	apptest.WriteRegistry(t, path, strings.Replace(apptest.TwoPBXs, "hq-secret-0123456789", "hq-rotated-0123456789", 1))
	if rebuilt, _ := pool.PBX(t.Context(), "hq"); rebuilt == first {
		t.Error("PBX(hq) kept the client of rotated credentials")
	}
	var inv *recording.InvalidInputError
	if _, err := pool.PBX(t.Context(), "nowhere"); !errors.As(err, &inv) || !strings.Contains(err.Error(), "PBX nowhere is not configured") {
		t.Errorf("PBX(nowhere) = %v, want an InvalidInputError", err)
	}
	apptest.WriteRegistry(t, path, `{"lab": {"base_url": "http://lab.example.com", "client_id": "a", "client_secret": "lab-secret-0123456789"}}`)
	if _, err := pool.PBX(t.Context(), "lab"); !errors.Is(err, copier.ErrPBXConfig) {
		t.Errorf("PBX(lab) over http = %v, want ErrPBXConfig", err)
	}
	// The token objects' keys are config.TokenKeyFor's (TestPBXKeys);
	// the end-to-end fleet test finds each PBX's at its key.
}
