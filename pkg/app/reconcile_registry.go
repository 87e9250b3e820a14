package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/pbxregistry"
	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/redact"
)

// openRegistry reads the PBXs of PBX_REGISTRY_FILE or PBX_SECRET_PREFIX,
// with the environment's own PBX as default, registering every secret
// read with red and logging each read's outcome.
func (env reconcileEnv) openRegistry(ctx context.Context, rcfg config.Registry) (*pbxregistry.Registry, error) {
	src := pbxregistry.File(rcfg.File)
	if rcfg.SecretPrefix != "" {
		src = pbxregistry.Secrets(secretsmanager.NewFromConfig(env.f.awsCfg), rcfg.SecretPrefix)
	}
	def := pbxregistry.Entry{ID: recording.DefaultPBX, BaseURL: env.cfg.PBXBaseURL, ClientID: env.f.creds.ClientID,
		ClientSecret: env.f.creds.ClientSecret, CACert: env.cfg.PBXCACert}
	reg, err := pbxregistry.New(ctx, src, &pbxregistry.Options{Default: &def, Refresh: rcfg.Refresh, OnRead: logRegistryRead(env.red, env.log)})
	if err != nil {
		return nil, fmt.Errorf("PBX registry: %w", err)
	}
	return reg, nil
}

// logRegistryRead registers the secrets of every PBX read with red, then
// logs the read: the PBXs served, each one skipped and why, or why a
// re-read failed and the PBXs read before are kept.
func logRegistryRead(red *redact.Redactor, log *slog.Logger) func(context.Context, pbxregistry.Report) {
	return func(ctx context.Context, rep pbxregistry.Report) {
		for _, e := range rep.Entries {
			for _, s := range e.Secrets() {
				red.Add(s)
			}
		}
		if rep.Err != nil {
			log.WarnContext(ctx, "PBX registry not read: the PBXs read before are kept", "error", rep.Err.Error())
			return
		}
		ids := make([]string, len(rep.Entries))
		for i, e := range rep.Entries {
			ids[i] = e.ID
		}
		log.InfoContext(ctx, "PBX registry read", "pbxs", strings.Join(ids, ","))
		for _, s := range rep.Skipped {
			log.WarnContext(ctx, "PBX skipped", "name", s.Name, "reason", s.Reason)
		}
	}
}
