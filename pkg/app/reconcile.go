package app

import (
	"context"
	"log/slog"

	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/reconcile"
	"github.com/recording-sync/recording-sync/pkg/redact"
	"github.com/recording-sync/recording-sync/pkg/seal"
)

// BuildReconcile wires the reconciler from its environment: the shared
// configuration and clients (the same PBX token as the copy function), the
// recording queue, and its sealed state object beside the token object.
func BuildReconcile(ctx context.Context, lookup func(string) (string, bool), red *redact.Redactor, log *slog.Logger) (*reconcile.Handler, error) {
	sh, err := buildShared(ctx, lookup, red, log)
	if err != nil {
		return nil, err
	}
	rc, err := config.LoadReconcile(sh.cfg, lookup)
	if err != nil {
		return nil, err
	}
	key, err := seal.NewKey(sh.creds.ClientSecret, reconcile.StatePurpose)
	if err != nil {
		return nil, err
	}
	bucket := sh.cfg.Bucket
	state := reconcile.NewS3StateStore(sh.s3, bucket, rc.StateKey, reconcile.SealedJSON(key, bucket, rc.StateKey))
	r := reconcile.New(sh.pbx, sh.s3, bucket, sh.cfg.KeyTemplate, newQueue(sh.awsCfg, rc.QueueURL), state, &reconcile.Options{
		RequeueAfter: rc.RequeueAfter,
		OnPage:       reconcile.LogProgress(log),
	})
	return reconcile.NewHandler(r, reconcile.Trailing{Lookback: rc.Lookback, Settle: rc.Settle}, log, red), nil
}
