package pbxregistry

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/config"
)

func lookupOf(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

// TestFromEnv: the file source beside the default PBX; no PBX at all is
// ErrNoPBX; the default alone needs no source.
func TestFromEnv(t *testing.T) {
	path := filepath.Join(t.TempDir(), "registry.json")
	const reg = `{"hq": {"base_url": "https://hq.example.com", "client_id": "id", "client_secret": "s"}}`
	if err := os.WriteFile(path, []byte(reg), 0o600); err != nil {
		t.Fatal(err)
	}
	def := &Entry{BaseURL: "https://pbx.example.com", ClientID: "d", ClientSecret: "ds"}
	r, err := FromEnv(t.Context(), lookupOf(map[string]string{"PBX_REGISTRY_FILE": path}), nil, &Options{Default: def})
	if err != nil {
		t.Fatalf("FromEnv: %v", err)
	}
	if ids, _ := r.IDs(t.Context()); len(ids) != 2 || ids[0] != "default" || ids[1] != "hq" {
		t.Errorf("IDs = %v, want [default hq]", ids)
	}
	if _, err := FromEnv(t.Context(), lookupOf(nil), nil, nil); !errors.Is(err, ErrNoPBX) {
		t.Errorf("FromEnv without any PBX = %v, want ErrNoPBX", err)
	}
	if _, err := FromEnv(t.Context(), lookupOf(map[string]string{"PBX_SECRET_PREFIX": "p/"}), nil, nil); err == nil {
		t.Error("FromEnv with a secret prefix and no Secrets Manager client succeeded")
	}
	r, err = FromEnv(t.Context(), lookupOf(nil), nil, &Options{Default: def})
	if ids, _ := r.IDs(t.Context()); err != nil || len(ids) != 1 {
		t.Errorf("FromEnv with the default alone = %v, %v", ids, err)
	}
}

// TestFromWebhook: the webhook's default PBX carries PBX_WEBHOOK_SECRET,
// is there with an empty secret when the secret is read from
// PBX_WEBHOOK_SECRET_ID, and is absent when the webhook serves the
// registry's PBXs alone.
func TestFromWebhook(t *testing.T) {
	if e := FromWebhook(config.Webhook{Secret: "hook-secret"}); e == nil || e.ID != Default || e.WebhookSecret != "hook-secret" {
		t.Errorf("with PBX_WEBHOOK_SECRET: %+v", e)
	}
	if e := FromWebhook(config.Webhook{SecretID: "pbx/webhook"}); e == nil || e.ID != Default || e.WebhookSecret != "" {
		t.Errorf("with PBX_WEBHOOK_SECRET_ID: %+v", e)
	}
	if e := FromWebhook(config.Webhook{Registry: config.Registry{File: "pbxs.json"}}); e != nil {
		t.Errorf("with the registry alone: %+v, want nil", e)
	}
}
