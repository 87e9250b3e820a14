// Package reconcileapp wires the reconciler (recording-reconcile) from its
// environment: Build is what its main starts.
package reconcileapp

import (
	"context"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/recording-sync/recording-sync/pkg/app"
	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/lambdafn"
	"github.com/recording-sync/recording-sync/pkg/metrics"
	"github.com/recording-sync/recording-sync/pkg/queue"
	"github.com/recording-sync/recording-sync/pkg/reconcile"
	"github.com/recording-sync/recording-sync/pkg/redact"
)

// Build wires the reconciler from its environment: the copy
// function's configuration and PBX client (the same shared token: it never
// logs in by itself), the recording queue, and its sealed state object
// beside the token object. With a PBX registry (PBX_REGISTRY_FILE or
// PBX_SECRET_PREFIX) a run covers the registry's PBXs and the
// environment's own as default, each with the copy function's client and
// token object of that PBX and its own state object (see
// reconcile.Fleet). Every secret it meets is registered with red. It
// returns the handler behind lambdafn.Wrap; a panic's line counts a failed
// run.
func Build(ctx context.Context, lookup func(string) (string, bool), red *redact.Redactor, log *slog.Logger) (*lambdafn.Handler, error) {
	cfg, emitter, err := app.LoadConfig(ctx, lookup, red, log, metrics.FunctionReconcile)
	if err != nil {
		return nil, err
	}
	rc, err := config.LoadReconcile(cfg, lookup)
	if err != nil {
		return nil, err
	}
	f, err := app.BuildPBXFunction(ctx, cfg, red, nil)
	if err != nil {
		return nil, err
	}
	env := reconcileEnv{cfg: cfg, rc: rc, f: f, send: queue.New(sqs.NewFromConfig(f.AWS), rc.QueueURL), log: log}
	run, err := env.runner(ctx, lookup, red)
	if err != nil {
		return nil, err
	}
	trailing := reconcile.Trailing{Lookback: rc.Lookback, Settle: rc.Settle}
	h := reconcile.NewHandler(run, trailing, log, &reconcile.HandlerOptions{Metrics: emitter})
	return lambdafn.Wrap(h, log, red, &lambdafn.Options{PanicAttrs: h.PanicAttrs}), nil
}

// runner is the single PBX's reconciler, or, with a PBX registry, a Fleet
// over the registry's PBXs (and the single PBX as default, when
// PBX_BASE_URL is set).
func (env reconcileEnv) runner(ctx context.Context, lookup func(string) (string, bool), red *redact.Redactor) (reconcile.Runner, error) {
	var def *reconcile.Reconciler
	if env.cfg.HasDefaultPBX() {
		var err error
		if def, err = env.defaultReconciler(); err != nil {
			return nil, err
		}
	}
	if !env.cfg.Registry.Enabled() {
		return def, nil
	}
	pool, err := app.BuildPool(ctx, lookup, env.cfg, env.f, red, env.log)
	if err != nil {
		return nil, err
	}
	pbxs := &reconcilePBXs{pool: pool, build: env.pbxReconciler, built: map[string]builtPBX{}}
	if def != nil {
		pbxs.def = def
	}
	return reconcile.NewFleet(pbxs, &reconcile.FleetOptions{Concurrency: env.rc.PBXConcurrency}), nil
}
