// Package copyapp wires the copy function (recording-sync) from its
// environment: Build is what its main starts, and what cmd/bench measures.
package copyapp

import (
	"context"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/recording-sync/recording-sync/pkg/app"
	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/copier"
	"github.com/recording-sync/recording-sync/pkg/copyhandler"
	"github.com/recording-sync/recording-sync/pkg/lambdafn"
	"github.com/recording-sync/recording-sync/pkg/metrics"
	"github.com/recording-sync/recording-sync/pkg/queue"
	"github.com/recording-sync/recording-sync/pkg/redact"
	"github.com/recording-sync/recording-sync/pkg/s3store"
	"github.com/recording-sync/recording-sync/pkg/tokencache"
)

// Build wires the copy function from its environment (read through
// lookup, os.LookupEnv in main): configuration, the PBX registry (the
// single PBX of PBX_BASE_URL as "default", and those of PBX_REGISTRY_FILE
// or PBX_SECRET_PREFIX), a PBX client with its shared token per PBX, the S3
// store, the copier and the handler. Every secret it meets is registered
// with red before anything can print it. It returns what main starts: the
// handler behind lambdafn.Wrap, which passes every result and error through
// red. Process-wide settings (GOMAXPROCS, the memory limit) are
// lambdafn.Main's.
func Build(ctx context.Context, lookup func(string) (string, bool), red *redact.Redactor, log *slog.Logger) (*lambdafn.Handler, error) {
	cfg, emitter, err := app.LoadConfig(ctx, lookup, red, log, metrics.FunctionCopy)
	if err != nil {
		return nil, err
	}
	copies := cfg.BatchConcurrency
	if copies <= 0 {
		copies = copyhandler.DefaultBatchConcurrency
	}
	upload, err := config.UploadFor(lookup, copies)
	if err != nil {
		return nil, err
	}
	f, err := app.BuildPBXFunction(ctx, cfg, red, tokencache.NewLoginBackoff(0, 0, nil))
	if err != nil {
		return nil, err
	}
	pool, err := app.BuildPool(ctx, lookup, cfg, f, red, log)
	if err != nil {
		return nil, err
	}
	sdk, err := config.SDKUploader(lookup)
	if err != nil {
		return nil, err
	}
	store := s3store.New(f.S3, &s3store.Options{PartSize: int64(upload.PartSizeMiB) << 20, Concurrency: upload.Concurrency, SDKDefault: sdk})
	copier := copier.NewCopierOf(pool, store, cfg.Bucket, cfg.KeyTemplate, &copier.Options{StallTimeout: cfg.StallTimeout})
	opts := &copyhandler.Options{
		BatchConcurrency: cfg.BatchConcurrency,
		Redactor:         red,
		Metrics:          emitter,
		TokensObtained:   pool.TokensObtained,
		ManyPBXs:         cfg.Registry.Enabled(),
	}
	copyQueues(f.AWS, cfg, opts)
	h := copyhandler.New(copier, log, opts)
	return lambdafn.Wrap(h, log, red, nil), nil
}

// copyQueues sets the copy handler's queues in opts: the dead-letter queue
// SQS records that can never succeed are moved to (none without
// DEAD_LETTER_QUEUE_URL: the queue's retries then move them), and the
// recording queue records that only wait for a busy PBX are handed back to
// (none without RECORDINGS_QUEUE_URL: they wait inside the invocation).
// AWS_ENDPOINT_URL_SQS is read by the SDK itself.
func copyQueues(awsCfg aws.Config, cfg config.Config, opts *copyhandler.Options) {
	if cfg.DeadLetterQueueURL == "" && cfg.QueueURL == "" {
		return
	}
	client := sqs.NewFromConfig(awsCfg)
	if cfg.DeadLetterQueueURL != "" {
		opts.DeadLetters = queue.New(client, cfg.DeadLetterQueueURL)
	}
	if cfg.QueueURL != "" {
		opts.Returner = queue.NewReturner(client, cfg.QueueURL)
	}
}
