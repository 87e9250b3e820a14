// Package app wires the function's parts together from its configuration.
// The Lambda main and the benchmark command share it, so that what is
// measured is what runs.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/copier"
	"github.com/recording-sync/recording-sync/pkg/copyhandler"
	"github.com/recording-sync/recording-sync/pkg/lambdafn"
	"github.com/recording-sync/recording-sync/pkg/metrics"
	"github.com/recording-sync/recording-sync/pkg/redact"
	"github.com/recording-sync/recording-sync/pkg/s3store"
)

// BuildCopy wires the copy function from its environment (read through
// lookup, os.LookupEnv in main): configuration, the PBX client with the
// shared token, the S3 store, the copier and the handler. Every secret it
// meets is registered with red before anything can print it. It returns
// what main starts: the handler behind lambdafn.Wrap, which passes every
// result and error through red. Process-wide settings (GOMAXPROCS, the
// memory limit) are lambdafn.Main's.
func BuildCopy(ctx context.Context, lookup func(string) (string, bool), red *redact.Redactor, log *slog.Logger) (*lambdafn.Handler, error) {
	cfg, err := config.Load(lookup)
	if err != nil {
		return nil, err
	}
	red.Add(cfg.ClientSecret)
	emitter, err := config.Metrics(lookup, metrics.FunctionCopy)
	if err != nil {
		return nil, err
	}
	if cfg.InsecureScheme() {
		log.WarnContext(ctx, "PBX_BASE_URL uses http://: tokens and recordings cross the network unencrypted")
	}
	// The client is given here, not per service, so that AWS_CA_BUNDLE is
	// still applied to it.
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithHTTPClient(awsHTTPClient()))
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	copies := cfg.BatchConcurrency
	if copies <= 0 {
		copies = copyhandler.DefaultBatchConcurrency
	}
	upload, err := config.UploadFor(lookup, copies)
	if err != nil {
		return nil, err
	}
	s3Client := newS3Client(awsCfg, cfg.S3PathStyle)
	creds, err := Credentials(ctx, cfg, awsCfg, red)
	if err != nil {
		return nil, err
	}
	pbx, auth, err := pbxClient(cfg, creds, s3Client, red)
	if err != nil {
		return nil, err
	}
	store := s3store.New(s3Client, &s3store.Options{PartSize: int64(upload.PartSizeMiB) << 20, Concurrency: upload.Concurrency})
	copier := copier.NewCopier(pbx, store, cfg.Bucket, cfg.KeyTemplate, &copier.Options{StallTimeout: cfg.StallTimeout})
	h := copyhandler.New(copier, log, &copyhandler.Options{
		BatchConcurrency: cfg.BatchConcurrency,
		DeadLetters:      deadLetters(awsCfg, cfg.DeadLetterQueueURL),
		Redactor:         red,
		Metrics:          emitter,
		TokensObtained:   auth.TokensObtained,
	})
	return lambdafn.Wrap(h, log, red, nil), nil
}

// transportBufferSize is the size of the transport's buffers between the
// HTTP layer and the TLS connection: a request's header and the start of
// its body reach TLS together, in full 16 KiB records rather than the
// 4 KiB default. The TLS connection itself is crypto/tls's own: a layer
// that batched its records into fewer system calls saved no measurable
// CPU and let a cancelled upload wait 5 s for a stuck write (see
// docs/performance.md).
const transportBufferSize = 64 << 10

// awsHTTPClient is the SDK's buildable client (it keeps honouring
// AWS_CA_BUNDLE and the SDK's timeouts) with larger transport buffers.
func awsHTTPClient() *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.WriteBufferSize = transportBufferSize
		tr.ReadBufferSize = transportBufferSize
	})
}

// newS3Client is the S3 client of awsCfg.
func newS3Client(awsCfg aws.Config, pathStyle bool) *s3.Client {
	return s3.NewFromConfig(awsCfg, func(o *s3.Options) { o.UsePathStyle = pathStyle })
}
