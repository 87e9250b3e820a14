package config

import (
	"regexp"
	"strings"
	"time"
)

// Registry says where the PBXs beyond the single-PBX configuration are
// listed (package pbxregistry): at most one of File and SecretPrefix is
// set; neither means the single PBX only.
type Registry struct {
	// File is a JSON file of PBXs by id (PBX_REGISTRY_FILE, local use).
	File string
	// SecretPrefix is the name prefix of the Secrets Manager secrets, one
	// per PBX (PBX_SECRET_PREFIX, deployed).
	SecretPrefix string
	// Refresh is how often the list is read again (PBX_REGISTRY_REFRESH;
	// 0: pbxregistry's default, 5 minutes).
	Refresh time.Duration
}

// Enabled reports whether PBXs are listed beyond the single-PBX configuration.
func (r Registry) Enabled() bool { return r.File != "" || r.SecretPrefix != "" }

// secretPrefix is what a Secrets Manager name filter accepts, and no more.
var secretPrefix = regexp.MustCompile(`^[A-Za-z0-9/_+=.@-]{1,500}$`)

// LoadRegistry reads PBX_REGISTRY_FILE, PBX_SECRET_PREFIX and
// PBX_REGISTRY_REFRESH through lookup.
func LoadRegistry(lookup func(string) (string, bool)) (Registry, error) {
	get := func(name string) string {
		v, _ := lookup(name)
		return strings.TrimSpace(v)
	}
	r := Registry{File: get("PBX_REGISTRY_FILE"), SecretPrefix: get("PBX_SECRET_PREFIX")}
	switch {
	case r.File != "" && r.SecretPrefix != "":
		return Registry{}, &Error{"PBX_REGISTRY_FILE", "is set together with PBX_SECRET_PREFIX: use one or the other"}
	case r.SecretPrefix != "" && !secretPrefix.MatchString(r.SecretPrefix):
		return Registry{}, &Error{"PBX_SECRET_PREFIX", "must be a secret name prefix of letters, digits and /_+=.@- (e.g. recording-sync/pbx/)"}
	}
	var err error
	if r.Refresh, err = duration(get, "PBX_REGISTRY_REFRESH", 0); err != nil {
		return Registry{}, err
	}
	return r, nil
}
