package config

import (
	"strings"
	"time"
)

// DefaultRegistryRefresh is how often the PBX registry is read again by
// default (PBX_REGISTRY_REFRESH): a PBX added or removed is served or
// refused within it.
const DefaultRegistryRefresh = 5 * time.Minute

// Registry is where the PBXs beside the single-PBX environment's come
// from: PBX_REGISTRY_FILE (local use) or PBX_SECRET_PREFIX (deployed),
// read again every Refresh (PBX_REGISTRY_REFRESH; 0 means
// DefaultRegistryRefresh).
type Registry struct {
	File         string
	SecretPrefix string
	Refresh      time.Duration
}

// Set reports whether a registry source is configured.
func (r Registry) Set() bool { return r.File != "" || r.SecretPrefix != "" }

// LoadRegistry reads the registry's variables through lookup.
func LoadRegistry(lookup func(string) (string, bool)) (Registry, error) {
	get := getter(lookup)
	r := Registry{File: get("PBX_REGISTRY_FILE"), SecretPrefix: get("PBX_SECRET_PREFIX")}
	if r.File != "" && r.SecretPrefix != "" {
		return Registry{}, &Error{"PBX_REGISTRY_FILE", "is set together with PBX_SECRET_PREFIX: use one or the other"}
	}
	if v := get("PBX_REGISTRY_REFRESH"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second {
			return Registry{}, &Error{"PBX_REGISTRY_REFRESH", "must be a duration of at least 1s, e.g. 5m"}
		}
		r.Refresh = d
	}
	return r, nil
}

// getter trims what lookup finds.
func getter(lookup func(string) (string, bool)) func(string) string {
	return func(name string) string {
		v, _ := lookup(name)
		return strings.TrimSpace(v)
	}
}
