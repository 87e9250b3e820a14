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
	"github.com/recording-sync/recording-sync/pkg/tlsbatch"
	"github.com/recording-sync/recording-sync/pkg/tokencache"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// Build wires the function from its environment (read through lookup,
// os.LookupEnv in main): configuration, the PBX client with the shared
// token, the S3 store, the copier and the handler. Every secret it meets is
// registered with red before anything can print it.
func Build(ctx context.Context, lookup func(string) (string, bool), red *redact.Redactor, log *slog.Logger) (*handler.Handler, error) {
	sh, err := buildShared(ctx, lookup, red, log)
	if err != nil {
		return nil, err
	}
	upload, err := config.UploadFor(lookup)
	if err != nil {
		return nil, err
	}
	cfg := sh.cfg
	store := s3store.New(sh.s3, &s3store.Options{PartSize: int64(upload.PartSizeMiB) << 20, Concurrency: upload.Concurrency})
	copier := recording.NewCopier(sh.pbx, store, cfg.Bucket, cfg.KeyTemplate, &recording.Options{StallTimeout: cfg.StallTimeout})
	return handler.New(copier, log, &handler.Options{BatchConcurrency: cfg.BatchConcurrency}), nil
}

// shared is what every function of the stack builds the same way: the
// configuration, the AWS configuration, the S3 client, and the PBX client
// with the token all instances share.
type shared struct {
	cfg    config.Config
	awsCfg aws.Config
	s3     *s3.Client
	pbx    *yeastar.Client
	creds  yeastar.Credentials
}

// buildShared reads the shared configuration and builds the clients every
// function uses. Every secret it meets is registered with red.
func buildShared(ctx context.Context, lookup func(string) (string, bool), red *redact.Redactor, log *slog.Logger) (shared, error) {
	cfg, err := config.Load(lookup)
	if err != nil {
		return shared{}, err
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
		return shared{}, fmt.Errorf("AWS configuration: %w", err)
	}
	s3Client := newS3Client(awsCfg, cfg.S3PathStyle)
	creds := yeastar.Credentials{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret}
	if cfg.CredentialsSecret != "" {
		// Read once per execution environment; warm invocations reuse it.
		if creds, err = pbxsecret.Load(ctx, secretsmanager.NewFromConfig(awsCfg), cfg.CredentialsSecret); err != nil {
			return shared{}, err
		}
		red.Add(creds.ClientSecret)
	}
	pbxOpts := &yeastar.Options{APIPath: cfg.PBXAPIPath, OnSecret: red.Add}
	if cfg.PBXCACert != "" {
		if pbxOpts.HTTPClient, err = yeastar.NewHTTPClientWithCA([]byte(cfg.PBXCACert)); err != nil {
			return shared{}, err
		}
	}
	pbx, err := yeastar.New(cfg.PBXBaseURL, creds, pbxOpts)
	if err != nil {
		return shared{}, err
	}
	// All instances share one PBX token through a small object in the bucket.
	pbx.SetTokenSource(tokencache.New(pbx, tokencache.NewS3Store(s3Client, cfg.Bucket, cfg.TokenCacheKey), nil))
	return shared{cfg: cfg, awsCfg: awsCfg, s3: s3Client, pbx: pbx, creds: creds}, nil
}

// awsHTTPClient is the SDK's buildable client (it keeps honouring
// AWS_CA_BUNDLE and the SDK's timeouts) with large transport buffers: by
// default every part leaves in 4 KiB writes.
func awsHTTPClient() *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.WriteBufferSize = tlsbatch.DefaultBufferSize
		tr.ReadBufferSize = 64 << 10
	})
}

// newS3Client is the S3 client of awsCfg, whose TLS connections write
// their records in batches.
func newS3Client(awsCfg aws.Config, pathStyle bool) *s3.Client {
	return s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		o.UsePathStyle = pathStyle
		o.HTTPClient = batchTLS(o.HTTPClient)
	})
}

// batchTLS makes the S3 client's TLS connections write their records in
// batches (package tlsbatch). It is applied to the client the S3 service
// resolved, after the SDK added the AWS_CA_BUNDLE roots and its timeouts
// to the transport, because the batching dialer reads that transport's
// settings; a client that is not the SDK's buildable one is left as it is.
func batchTLS(c s3.HTTPClient) s3.HTTPClient {
	if b, ok := c.(*awshttp.BuildableClient); ok {
		return b.WithTransportOptions(tlsbatch.ForTransport)
	}
	return c
}
