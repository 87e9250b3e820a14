package pbxregistry

import (
	"context"
	"errors"

	"github.com/recording-sync/recording-sync/pkg/config"
)

// ErrNoPBX is FromEnv's error when the environment configures no PBX at
// all.
var ErrNoPBX = errors.New("configuration: no PBX is configured: set PBX_BASE_URL (one PBX), PBX_REGISTRY_FILE or PBX_SECRET_PREFIX (many)")

// FromEnv returns the Registry the environment (read through lookup)
// configures: the source PBX_REGISTRY_FILE or PBX_SECRET_PREFIX names (the
// latter read through api, which may be nil otherwise), read again every
// PBX_REGISTRY_REFRESH, beside opts.Default, the caller's single-PBX
// environment (the copy function's FromConfig when PBX_BASE_URL is set,
// the webhook's FromWebhook). Both functions build theirs here, each with
// its own opts.OnRead and opts.Redact. opts.Refresh, when set, overrides
// PBX_REGISTRY_REFRESH. The error names the variable at fault, or is
// ErrNoPBX when no PBX is configured at all.
func FromEnv(ctx context.Context, lookup func(string) (string, bool), api SecretsAPI, opts *Options) (*Registry, error) {
	set, err := config.LoadRegistry(lookup)
	if err != nil {
		return nil, err
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Refresh <= 0 {
		o.Refresh = set.Refresh
	}
	var src Source
	switch {
	case set.File != "":
		src = File(set.File)
	case set.SecretPrefix != "" && api == nil:
		return nil, &config.Error{Var: "PBX_SECRET_PREFIX", Problem: "is set but no Secrets Manager client was given"}
	case set.SecretPrefix != "":
		src = Secrets(api, set.SecretPrefix)
	case o.Default == nil:
		return nil, ErrNoPBX
	}
	return New(ctx, src, &o)
}
