package webhookapp

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/pbxregistry"
	"github.com/recording-sync/recording-sync/pkg/redact"
	"github.com/recording-sync/recording-sync/pkg/webhook"
)

// openRegistry reads the PBXs of PBX_REGISTRY_FILE or PBX_SECRET_PREFIX
// (pbxregistry.FromEnv), registering every secret read with red and
// logging each read's outcome. The environment's own webhook secret, when
// set, is the default PBX's, served apart (see Build): the registry then
// holds default only to list it.
func openRegistry(ctx context.Context, lookup func(string) (string, bool), cfg config.Webhook, sm pbxregistry.SecretsAPI, red *redact.Redactor, log *slog.Logger, now func() time.Time) (*pbxregistry.Registry, error) {
	opts := &pbxregistry.Options{Default: pbxregistry.FromWebhook(cfg), Now: now, OnRead: logRead(log), Redact: red.Add}
	reg, err := pbxregistry.FromEnv(ctx, lookup, sm, opts)
	if err != nil {
		return nil, fmt.Errorf("PBX registry: %w", err)
	}
	return reg, nil
}

// logRead logs a read of the registry: the PBXs served, each secret
// skipped and why, or why a re-read failed and the PBXs read before are
// kept.
func logRead(log *slog.Logger) func(context.Context, pbxregistry.Report) {
	return func(ctx context.Context, rep pbxregistry.Report) {
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

// webhookSecret finds a PBX's webhook secret in the registry's cache.
func webhookSecret(reg *pbxregistry.Registry) webhook.LookupFunc {
	return func(ctx context.Context, id string) (string, bool, error) {
		e, ok, err := reg.Lookup(ctx, id)
		return e.WebhookSecret, ok, err
	}
}
