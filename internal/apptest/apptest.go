// Package apptest holds the test helpers of the functions' wiring
// (pkg/app and its subpackages): an environment to build a function from,
// and a PBX registry file.
package apptest

import (
	"maps"
	"os"
	"path/filepath"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/pbxregistry"
	"github.com/recording-sync/recording-sync/pkg/recording"
)

// TwoPBXs is a registry of two PBXs over https, hq and branch.
const TwoPBXs = `{"hq": {"base_url": "https://hq.example.com", "client_id": "a", "client_secret": "hq-secret-0123456789"},
 "branch": {"base_url": "https://branch.example.com", "client_id": "b", "client_secret": "branch-secret-0123456789"}}`

// Env is a complete environment of the copy function, its PBX
// unreachable, with extra set over it (the reconciler needs
// RECORDINGS_QUEUE_URL too).
func Env(extra map[string]string) map[string]string {
	env := map[string]string{
		"PBX_BASE_URL":          "https://127.0.0.1:1",
		"PBX_CLIENT_ID":         "client-id",
		"PBX_CLIENT_SECRET":     "build-test-client-secret",
		"RECORDINGS_BUCKET":     "bucket",
		"AWS_REGION":            "us-east-1",
		"AWS_ACCESS_KEY_ID":     "AKID",
		"AWS_SECRET_ACCESS_KEY": "SECRET",
	}
	maps.Copy(env, extra)
	return env
}

// Use sets env in the process, where the AWS SDK reads its settings, and
// returns the lookup of env the builders take.
func Use(t *testing.T, env map[string]string) func(string) (string, bool) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

// WriteRegistry writes a registry file at path.
func WriteRegistry(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// Registry opens a registry file holding TwoPBXs, read again on every
// lookup so that a test rewriting it (WriteRegistry at path) is seen at
// once, and a configuration whose key template names {pbx}.
func Registry(t *testing.T) (reg *pbxregistry.Registry, path string, cfg config.Config) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "registry.json")
	WriteRegistry(t, path, TwoPBXs)
	reg, err := pbxregistry.New(t.Context(), pbxregistry.File(path), &pbxregistry.Options{Refresh: 1})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := recording.ParseKeyTemplate("{pbx}/{file}")
	if err != nil {
		t.Fatal(err)
	}
	return reg, path, config.Config{Bucket: "bucket", TokenCacheKey: config.DefaultTokenCacheKey, KeyTemplate: keys}
}
