package app

import (
	"context"
	"fmt"
	"log/slog"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"

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
	cfg, err := config.Load(lookup)
	if err != nil {
		return nil, err
	}
	red.Add(cfg.ClientSecret)
	rc, err := config.LoadReconcile(cfg, lookup)
	if err != nil {
		return nil, err
	}
	emitter, err := config.Metrics(lookup, metrics.FunctionReconcile)
	if err != nil {
		return nil, err
	}
	if cfg.InsecureScheme() {
		log.WarnContext(ctx, "PBX_BASE_URL uses http://: tokens cross the network unencrypted")
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithHTTPClient(awsHTTPClient()))
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	s3Client := newS3Client(awsCfg, cfg.S3PathStyle)
	creds, err := Credentials(ctx, cfg, awsCfg, red)
	if err != nil {
		return nil, err
	}
	pbx, err := PBXClient(cfg, creds, s3Client, red)
	if err != nil {
		return nil, err
	}
	bucket := cfg.Bucket
	state, err := reconcile.NewS3StateStore(s3Client, bucket, rc.StateKey, creds.ClientSecret)
	if err != nil {
		return nil, err
	}
	r := reconcile.New(pbx, s3Client, bucket, cfg.KeyTemplate, newQueue(awsCfg, rc.QueueURL), state, &reconcile.Options{
		RequeueAfter: rc.RequeueAfter,
		Settle:       rc.Settle,
		Clock:        reconcile.SystemClock{PBX: pbx},
		MaxPages:     rc.MaxPages,
		MaxQueued:    rc.MaxQueued,
		OnPage:       reconcile.LogProgress(log),
	})
	trailing := reconcile.Trailing{Lookback: rc.Lookback, Settle: rc.Settle}
	h := reconcile.NewHandler(r, trailing, log, &reconcile.HandlerOptions{Metrics: emitter})
	return lambdafn.Wrap(h, log, red, &lambdafn.Options{PanicAttrs: h.PanicAttrs}), nil
}
