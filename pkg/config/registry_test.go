package config

import (
	"errors"
	"testing"
	"time"
)

func lookupOf(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

// TestRegistryMakesThePBXVariablesOptional: with a registry source, the
// single PBX's variables may be absent (no PBX "default"); without one,
// today's error stands.
func TestRegistryMakesThePBXVariablesOptional(t *testing.T) {
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

func TestLoadRegistry(t *testing.T) {
	for _, tc := range []struct {
		env     map[string]string
		want    Registry
		wantVar string
	}{
		{map[string]string{}, Registry{}, ""},
		{map[string]string{"PBX_SECRET_PREFIX": "rs/pbx/", "PBX_REGISTRY_REFRESH": "30s"}, Registry{SecretPrefix: "rs/pbx/", Refresh: 30 * time.Second}, ""},
		{map[string]string{"PBX_SECRET_PREFIX": "p/", "PBX_REGISTRY_FILE": "f"}, Registry{}, "PBX_REGISTRY_FILE"},
		{map[string]string{"PBX_REGISTRY_FILE": "f", "PBX_REGISTRY_REFRESH": "10ms"}, Registry{}, "PBX_REGISTRY_REFRESH"},
	} {
		got, err := LoadRegistry(lookupOf(tc.env))
		var ce *Error
		if tc.wantVar != "" {
			if !errors.As(err, &ce) || ce.Var != tc.wantVar {
				t.Errorf("LoadRegistry(%v) = %v, want an error naming %s", tc.env, err, tc.wantVar)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("LoadRegistry(%v) = %+v, %v, want %+v", tc.env, got, err, tc.want)
		}
	}
}
