package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestLoadRegistry(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		want    Registry
		wantErr string
	}{
		{"none", nil, Registry{}, ""},
		{"file", map[string]string{"PBX_REGISTRY_FILE": "pbxs.json"}, Registry{File: "pbxs.json"}, ""},
		{"prefix and refresh", map[string]string{"PBX_SECRET_PREFIX": "recording-sync/pbx/", "PBX_REGISTRY_REFRESH": "30s"},
			Registry{SecretPrefix: "recording-sync/pbx/", Refresh: 30 * time.Second}, ""},
		{"both", map[string]string{"PBX_REGISTRY_FILE": "x", "PBX_SECRET_PREFIX": "p/"}, Registry{}, "PBX_REGISTRY_FILE is set together with PBX_SECRET_PREFIX"},
		{"prefix with a star", map[string]string{"PBX_SECRET_PREFIX": "pbx/*"}, Registry{}, "PBX_SECRET_PREFIX must be"},
		{"bad refresh", map[string]string{"PBX_REGISTRY_REFRESH": "often"}, Registry{}, "PBX_REGISTRY_REFRESH must be a Go duration"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := LoadRegistry(func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want || got.Enabled() != (tc.want.File != "" || tc.want.SecretPrefix != "") {
				t.Errorf("LoadRegistry = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

// TestLoadWebhookWithRegistry: with PBXs listed, the webhook needs no
// secret of its own (the PBX default is then the registry's, if any);
// without, it still does.
func TestLoadWebhookWithRegistry(t *testing.T) {
	env := map[string]string{"RECORDINGS_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/q", "PBX_REGISTRY_FILE": "pbxs.json"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	c, err := LoadWebhook(lookup)
	if err != nil || c.Registry.File != "pbxs.json" || c.Secret != "" || c.SecretID != "" {
		t.Errorf("LoadWebhook = %+v, %v; want the registry alone", c, err)
	}
	delete(env, "PBX_REGISTRY_FILE")
	if _, err := LoadWebhook(lookup); err == nil || !strings.Contains(err.Error(), "PBX_WEBHOOK_SECRET_ID or PBX_WEBHOOK_SECRET is required") {
		t.Errorf("without a registry or a secret: %v", err)
	}
}

// TestRegistryMakesThePBXVariablesOptional: with a registry source, the
// single PBX's variables may be absent (no PBX "default"); without one,
// today's error stands.
func TestRegistryMakesThePBXVariablesOptional(t *testing.T) {
	lookupOf := func(env map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	}
	c, err := Load(lookupOf(map[string]string{"PBX_REGISTRY_FILE": "/r.json", "RECORDINGS_BUCKET": "b"}))
	if err != nil || c.HasDefaultPBX() || c.Registry.File != "/r.json" || c.InsecureScheme() {
		t.Errorf("Load with a registry file = %+v, %v; want no default PBX, the file, no insecure warning", c, err)
	}
	_, err = Load(lookupOf(map[string]string{"RECORDINGS_BUCKET": "b"}))
	var ce *Error
	if !errors.As(err, &ce) || ce.Var != "PBX_BASE_URL" {
		t.Errorf("Load without any PBX = %v, want the PBX_BASE_URL error", err)
	}
	_, err = Load(lookupOf(map[string]string{"PBX_SECRET_PREFIX": "p/", "PBX_BASE_URL": "https://pbx", "RECORDINGS_BUCKET": "b"}))
	if !errors.As(err, &ce) || ce.Var != "PBX_CLIENT_ID" {
		t.Errorf("Load with PBX_BASE_URL but no credentials = %v, want the PBX_CLIENT_ID error", err)
	}
}
