// Package app wires the function's parts together from its configuration.
// The Lambda main and the benchmark command share it, so that what is
// measured is what runs.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"runtime/debug"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/handler"
	"github.com/recording-sync/recording-sync/pkg/pbxsecret"
	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/redact"
	"github.com/recording-sync/recording-sync/pkg/s3store"
	"github.com/recording-sync/recording-sync/pkg/tokencache"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// Build wires the function from its environment (read through lookup,
// os.LookupEnv in main): configuration, the PBX client with the shared
// token, the S3 store, the copier and the handler. Every secret it meets is
// registered with red before anything can print it.
func Build(ctx context.Context, lookup func(string) (string, bool), red *redact.Redactor, log *slog.Logger) (*handler.Handler, error) {
	cfg, err := config.Load(lookup)
	if err != nil {
		return nil, err
	}
	red.Add(cfg.ClientSecret)
	if limit := config.MemoryLimit(lookup); limit > 0 {
		debug.SetMemoryLimit(limit)
	}
	if n := config.Procs(lookup, runtime.NumCPU()); n > 0 {
		runtime.GOMAXPROCS(n)
	}
	if cfg.InsecureScheme() {
		log.Warn("PBX_BASE_URL uses http://: tokens and recordings cross the network unencrypted")
	}
	// The client is given here, not per service, so that AWS_CA_BUNDLE is
	// still applied to it.
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithHTTPClient(awsHTTPClient()))
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	upload, err := config.UploadFor(lookup)
	if err != nil {
		return nil, err
	}
	s3Client := newS3Client(awsCfg, cfg.S3PathStyle)
	creds := yeastar.Credentials{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret}
	if cfg.CredentialsSecret != "" {
		// Read once per execution environment; warm invocations reuse it.
		if creds, err = pbxsecret.Load(ctx, secretsmanager.NewFromConfig(awsCfg), cfg.CredentialsSecret); err != nil {
			return nil, err
		}
		red.Add(creds.ClientSecret)
	}
	pbxOpts := &yeastar.Options{APIPath: cfg.PBXAPIPath, OnSecret: red.Add}
	if cfg.PBXCACert != "" {
		if pbxOpts.HTTPClient, err = yeastar.NewHTTPClientWithCA([]byte(cfg.PBXCACert)); err != nil {
			return nil, err
		}
	}
	pbx, err := yeastar.New(cfg.PBXBaseURL, creds, pbxOpts)
	if err != nil {
		return nil, err
	}
	// All instances share one PBX token through a small object in the bucket.
	pbx.SetTokenSource(tokencache.New(pbx, tokencache.NewS3Store(s3Client, cfg.Bucket, cfg.TokenCacheKey), nil))
	store := s3store.New(s3Client, &s3store.Options{PartSize: int64(upload.PartSizeMiB) << 20, Concurrency: upload.Concurrency})
	copier := recording.NewCopier(pbx, store, cfg.Bucket, cfg.KeyTemplate, &recording.Options{StallTimeout: cfg.StallTimeout})
	return handler.New(copier, log, &handler.Options{BatchConcurrency: cfg.BatchConcurrency}), nil
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
