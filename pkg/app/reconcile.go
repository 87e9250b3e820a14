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
// beside the token object. Every secret it meets is registered with red.
// It returns the handler behind lambdafn.Wrap; a panic's line counts a
// failed run.
func BuildReconcile(ctx context.Context, lookup func(string) (string, bool), red *redact.Redactor, log *slog.Logger) (*lambdafn.Handler, error) {
	cfg, emitter, err := loadConfig(lookup, red, metrics.FunctionReconcile)
	if err != nil {
		return nil, err
	}
	rc, err := config.LoadReconcile(cfg, lookup)
	if err != nil {
		return nil, err
	}
	if !cfg.HasDefaultPBX() {
		// The reconciler serves the PBX "default" only, so far.
		return nil, &config.Error{Var: "PBX_BASE_URL", Problem: "is required: the reconciler serves the single PBX of PBX_BASE_URL"}
	}
	if cfg.InsecureScheme() {
		log.WarnContext(ctx, "PBX_BASE_URL uses http://: tokens cross the network unencrypted")
	}
	f, err := buildPBXFunction(ctx, cfg, red, nil)
	if err != nil {
		return nil, err
	}
	bucket := cfg.Bucket
	state, err := reconcile.NewS3StateStore(f.s3, bucket, rc.StateKey, f.creds.ClientSecret)
	if err != nil {
		return nil, err
	}
	r := reconcile.New(f.pbx, f.s3, bucket, cfg.KeyTemplate, newQueue(f.awsCfg, rc.QueueURL), state, &reconcile.Options{
		RequeueAfter: rc.RequeueAfter,
		Settle:       rc.Settle,
		Clock:        reconcile.SystemClock{PBX: f.pbx},
		MaxPages:     rc.MaxPages,
		MaxQueued:    rc.MaxQueued,
		OnPage:       reconcile.LogProgress(log),
	})
	trailing := reconcile.Trailing{Lookback: rc.Lookback, Settle: rc.Settle}
	h := reconcile.NewHandler(r, trailing, log, &reconcile.HandlerOptions{Metrics: emitter})
	return lambdafn.Wrap(h, log, red, &lambdafn.Options{PanicAttrs: h.PanicAttrs}), nil
}
