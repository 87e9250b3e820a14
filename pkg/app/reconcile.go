package app

import (
	"context"
	"log/slog"

	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/lambdafn"
	"github.com/recording-sync/recording-sync/pkg/metrics"
	"github.com/recording-sync/recording-sync/pkg/reconcile"
	"github.com/recording-sync/recording-sync/pkg/redact"
)

// BuildReconcile wires the reconciler from its environment: the copy
// function's configuration and PBX client (the same shared token: it never
// logs in by itself), the recording queue, and its sealed state object
// beside the token object. With a PBX registry (PBX_REGISTRY_FILE or
// PBX_SECRET_PREFIX) a run covers the registry's PBXs and the
// environment's own as default, each with its own client, token and state
// object (see reconcile.Fleet). Every secret it meets is registered with
// red. It returns the handler behind lambdafn.Wrap; a panic's line counts
// a failed run.
func BuildReconcile(ctx context.Context, lookup func(string) (string, bool), red *redact.Redactor, log *slog.Logger) (*lambdafn.Handler, error) {
	cfg, emitter, err := loadConfig(lookup, red, metrics.FunctionReconcile)
	if err != nil {
		return nil, err
	}
	rc, err := config.LoadReconcile(cfg, lookup)
	if err != nil {
		return nil, err
	}
	rcfg, err := config.LoadRegistry(lookup)
	if err != nil {
		return nil, err
	}
	if cfg.InsecureScheme() {
		log.WarnContext(ctx, "PBX_BASE_URL uses http://: tokens cross the network unencrypted")
	}
	f, err := buildPBXFunction(ctx, cfg, red)
	if err != nil {
		return nil, err
	}
	env := reconcileEnv{cfg: cfg, rc: rc, f: f, send: newSender(f.awsCfg, rc.QueueURL), red: red, log: log}
	def, err := env.defaultReconciler()
	if err != nil {
		return nil, err
	}
	var run reconcile.Runner = def
	if rcfg.Enabled() {
		reg, err := env.openRegistry(ctx, rcfg)
		if err != nil {
			return nil, err
		}
		pbxs := &reconcilePBXs{reg: reg, def: def, build: env.pbxReconciler, built: map[string]builtPBX{}}
		run = reconcile.NewFleet(pbxs, &reconcile.FleetOptions{Concurrency: rc.PBXConcurrency})
	}
	trailing := reconcile.Trailing{Lookback: rc.Lookback, Settle: rc.Settle}
	h := reconcile.NewHandler(run, trailing, log, &reconcile.HandlerOptions{Metrics: emitter})
	return lambdafn.Wrap(h, log, red, &lambdafn.Options{PanicAttrs: h.PanicAttrs}), nil
}
