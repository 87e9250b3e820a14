package app

import (
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/copier"
	"github.com/recording-sync/recording-sync/pkg/pbxregistry"
	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/redact"
)

func writeRegistry(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func registryEnv(path, template string) map[string]string {
	return map[string]string{
		"PBX_REGISTRY_FILE":       path,
		"RECORDINGS_BUCKET":       "bucket",
		"RECORDINGS_KEY_TEMPLATE": template,
		"AWS_REGION":              "us-east-1",
		"AWS_ACCESS_KEY_ID":       "AKID",
		"AWS_SECRET_ACCESS_KEY":   "SECRET",
	}
}

const twoPBXs = `{"hq": {"base_url": "https://hq.example.com", "client_id": "a", "client_secret": "hq-secret-0123456789"},
 "branch": {"base_url": "https://branch.example.com", "client_id": "b", "client_secret": "branch-secret-0123456789"}}`

// TestBuildCopyRefusesKeysWithoutPBX: two PBXs and a key template without
// {pbx} refuse to start, with one line naming the variable and why.
func TestBuildCopyRefusesKeysWithoutPBX(t *testing.T) {
	path := filepath.Join(t.TempDir(), "registry.json")
	writeRegistry(t, path, twoPBXs)
	_, err := BuildCopy(t.Context(), useEnv(t, registryEnv(path, "recordings/{file}")), redact.New(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	var ce *config.Error
	if !errors.As(err, &ce) || ce.Var != "RECORDINGS_KEY_TEMPLATE" || !strings.Contains(err.Error(), "has no {pbx}, but 2 PBXs are configured") ||
		strings.Contains(err.Error(), "\n") {
		t.Fatalf("BuildCopy = %v, want one line refusing RECORDINGS_KEY_TEMPLATE without {pbx}", err)
	}
	if _, err := BuildCopy(t.Context(), useEnv(t, registryEnv(path, "recordings/{pbx}/{file}")), redact.New(), slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Errorf("BuildCopy with {pbx}: %v", err)
	}
}

// TestBuildCopyWithoutAnyPBX: a registry source is enough to start; none
// and no PBX_BASE_URL is today's error.
func TestBuildCopyWithoutAnyPBX(t *testing.T) {
	env := registryEnv("", "")
	delete(env, "PBX_REGISTRY_FILE")
	_, err := BuildCopy(t.Context(), useEnv(t, env), redact.New(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || !strings.Contains(err.Error(), "PBX_BASE_URL is required") {
		t.Errorf("BuildCopy without a PBX = %v, want the PBX_BASE_URL error", err)
	}
}

// TestPoolBuildsPerPBXAndRebuildsOnChange: a PBX's client is built once,
// registers the PBX's secrets, is kept while its entry is unchanged, and
// built again when it changes; an unknown id is an InvalidInputError; a
// plain-HTTP PBX is refused without PBX_ALLOW_HTTP.
func TestPoolBuildsPerPBXAndRebuildsOnChange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "registry.json")
	writeRegistry(t, path, twoPBXs)
	red := redact.New()
	reg, err := pbxregistry.New(t.Context(), pbxregistry.File(path), &pbxregistry.Options{Refresh: 1})
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := recording.ParseKeyTemplate("{pbx}/{file}")
	cfg := config.Config{Bucket: "bucket", TokenCacheKey: config.DefaultTokenCacheKey, KeyTemplate: keys}
	pool := &pbxPool{reg: reg, cfg: cfg, s3: s3.New(s3.Options{Region: "us-east-1"}), red: red, clients: map[string]pooled{}}
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
	writeRegistry(t, path, strings.Replace(twoPBXs, "hq-secret-0123456789", "hq-rotated-0123456789", 1))
	if rebuilt, _ := pool.PBX(t.Context(), "hq"); rebuilt == first {
		t.Error("PBX(hq) kept the client of rotated credentials")
	}
	var inv *recording.InvalidInputError
	if _, err := pool.PBX(t.Context(), "nowhere"); !errors.As(err, &inv) || !strings.Contains(err.Error(), "PBX nowhere is not configured") {
		t.Errorf("PBX(nowhere) = %v, want an InvalidInputError", err)
	}
	writeRegistry(t, path, `{"lab": {"base_url": "http://lab.example.com", "client_id": "a", "client_secret": "lab-secret-0123456789"}}`)
	if _, err := pool.PBX(t.Context(), "lab"); !errors.Is(err, copier.ErrPBXConfig) {
		t.Errorf("PBX(lab) over http = %v, want ErrPBXConfig", err)
	}
	// The token objects' keys are config.TokenKeyFor's (TestPBXKeys);
	// the end-to-end fleet test finds each PBX's at its key.
}
