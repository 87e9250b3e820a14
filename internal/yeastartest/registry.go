package yeastartest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// RegistryEntry is one PBX in the PBX_REGISTRY_FILE format: what the stack
// needs to reach the PBX and to check its webhook requests.
type RegistryEntry struct {
	BaseURL       string `json:"base_url"`
	ClientID      string `json:"client_id"`
	ClientSecret  string `json:"client_secret"`
	WebhookSecret string `json:"webhook_secret"`
	// CACert is the PEM of the PBX's CA; empty for the simulator, which
	// serves plain HTTP.
	CACert string `json:"ca_cert,omitempty"`
}

// Registry is the content of a PBX_REGISTRY_FILE: entries by PBX id.
type Registry map[string]RegistryEntry

// Registry returns the fleet's registry, every PBX included (a down one
// too: the stack is told of it and must cope).
func (f *Fleet) Registry() Registry {
	reg := make(Registry, len(f.pbxs))
	for _, p := range f.pbxs {
		reg[p.ID] = p.Entry()
	}
	return reg
}

// WriteRegistry writes the fleet's registry as JSON to path, readable by
// its owner only (it holds secrets), replacing any file there.
func (f *Fleet) WriteRegistry(path string) error {
	b, err := json.MarshalIndent(f.Registry(), "", "  ") //nolint:gosec // G117: the registry file is where the secrets belong (mode 0600)
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	if err := writeFilePrivate(path, append(b, '\n')); err != nil {
		return fmt.Errorf("registry %s: %w", path, err)
	}
	return nil
}

// writeFilePrivate writes b to a new 0600 file renamed onto path, so that
// the secrets are never readable by others, not even in a file that was
// already there with wider permissions, and a reader never sees half a
// file.
func writeFilePrivate(path string, b []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".registry-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(b); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// ReadRegistry reads a registry file written by WriteRegistry.
func ReadRegistry(path string) (Registry, error) {
	b, err := os.ReadFile(path) //nolint:gosec // G304: the caller names its own file
	if err != nil {
		return nil, err
	}
	var reg Registry
	if err := json.Unmarshal(b, &reg); err != nil {
		return nil, fmt.Errorf("registry %s: %w", path, err)
	}
	return reg, nil
}
