// Package app wires the function's parts together from its configuration.
// The Lambda main and the benchmark command share it, so that what is
// measured is what runs.
package app

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/copier"
	"github.com/recording-sync/recording-sync/pkg/copyhandler"
	"github.com/recording-sync/recording-sync/pkg/lambdafn"
	"github.com/recording-sync/recording-sync/pkg/metrics"
	"github.com/recording-sync/recording-sync/pkg/pbxregistry"
	"github.com/recording-sync/recording-sync/pkg/redact"
	"github.com/recording-sync/recording-sync/pkg/s3store"
	"github.com/recording-sync/recording-sync/pkg/tokencache"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// BuildCopy wires the copy function from its environment (read through
// lookup, os.LookupEnv in main): configuration, the PBX registry (the
// single PBX of PBX_BASE_URL as "default", and those of PBX_REGISTRY_FILE
// or PBX_SECRET_PREFIX), a PBX client with its shared token per PBX, the S3
// store, the copier and the handler. Every secret it meets is registered
// with red before anything can print it. It returns what main starts: the
// handler behind lambdafn.Wrap, which passes every result and error through
// red. Process-wide settings (GOMAXPROCS, the memory limit) are
// lambdafn.Main's.
func BuildCopy(ctx context.Context, lookup func(string) (string, bool), red *redact.Redactor, log *slog.Logger) (*lambdafn.Handler, error) {
	cfg, emitter, err := loadConfig(ctx, lookup, red, log, metrics.FunctionCopy)
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
	f, err := buildPBXFunction(ctx, cfg, red, tokencache.NewLoginBackoff(0, 0, nil))
	if err != nil {
		return nil, err
	}
	pool, err := buildPool(ctx, lookup, cfg, f, red, log)
	if err != nil {
		return nil, err
	}
	sdk, err := config.SDKUploader(lookup)
	if err != nil {
		return nil, err
	}
	store := s3store.New(f.s3, &s3store.Options{PartSize: int64(upload.PartSizeMiB) << 20, Concurrency: upload.Concurrency, SDKDefault: sdk})
	copier := copier.NewCopierOf(pool, store, cfg.Bucket, cfg.KeyTemplate, &copier.Options{StallTimeout: cfg.StallTimeout})
	opts := &copyhandler.Options{
		BatchConcurrency: cfg.BatchConcurrency,
		Redactor:         red,
		Metrics:          emitter,
		TokensObtained:   pool.TokensObtained,
		ManyPBXs:         cfg.Registry.Enabled(),
	}
	copyQueues(f.awsCfg, cfg, opts)
	h := copyhandler.New(copier, log, opts)
	return lambdafn.Wrap(h, log, red, nil), nil
}

// buildPool reads the PBX registry the environment names and returns the
// pool of clients serving it; the PBX "default" of PBX_BASE_URL is f's
// client. It refuses a key template without {pbx} when more than one PBX
// is configured.
func buildPool(ctx context.Context, lookup func(string) (string, bool), cfg config.Config, f pbxFunction, red *redact.Redactor, log *slog.Logger) (*pbxPool, error) {
	opts := &pbxregistry.Options{OnRead: registryReport(log), Redact: red.Add}
	pool := &pbxPool{cfg: cfg, s3: f.s3, red: red, now: time.Now, fixed: map[string]*yeastar.Client{}, clients: map[string]pooled{}}
	if cfg.HasDefaultPBX() {
		def := pbxregistry.FromConfig(cfg)
		def.ClientID, def.ClientSecret = f.creds.ClientID, f.creds.ClientSecret
		opts.Default = &def
		pool.fixed[pbxregistry.Default] = f.pbx
		pool.fixedAu = []*yeastar.Auth{f.auth}
	}
	reg, err := pbxregistry.FromEnv(ctx, lookup, secretsmanager.NewFromConfig(f.awsCfg), opts)
	if err != nil {
		return nil, err
	}
	pool.reg = reg
	ids, err := reg.IDs(ctx)
	if err != nil {
		return nil, err
	}
	if err := keysError(cfg.KeyTemplate, ids); err != nil {
		return nil, err
	}
	return pool, nil
}

// registryReport logs a read of the registry: the PBXs, what was skipped
// and why, or why the read failed.
func registryReport(log *slog.Logger) func(context.Context, pbxregistry.Report) {
	return func(ctx context.Context, r pbxregistry.Report) {
		ids := make([]string, 0, len(r.Entries))
		for _, e := range r.Entries {
			ids = append(ids, e.ID)
		}
		for _, s := range r.Skipped {
			log.WarnContext(ctx, "PBX registry: skipped", slog.String("name", s.Name), slog.String("reason", s.Reason))
		}
		if r.Err != nil {
			log.ErrorContext(ctx, "PBX registry: read failed, the PBXs read before are kept", slog.String("error", r.Err.Error()))
			return
		}
		log.InfoContext(ctx, "PBX registry read", slog.Any("pbxs", ids))
	}
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
