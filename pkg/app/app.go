// Package app is the wiring the copy function (copyapp) and the reconciler
// (reconcileapp) share: their configuration, the AWS clients, and the PBX
// clients with their shared tokens, one per PBX of the registry (Pool);
// cmd/setupcheck reads the PBX credentials as they do (Credentials).
// Each function's own wiring is in its subpackage, so that a function links
// only what it calls; the mains and the benchmarks share them, so that what
// is measured is what runs.
package app

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/pbxregistry"
	"github.com/recording-sync/recording-sync/pkg/redact"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// BuildPool reads the PBX registry the environment names and returns the
// pool of clients serving it; the PBX "default" of PBX_BASE_URL is f's
// client. It refuses a key template without {pbx} when more than one PBX
// is configured.
func BuildPool(ctx context.Context, lookup func(string) (string, bool), cfg config.Config, f PBXFunction, red *redact.Redactor, log *slog.Logger) (*Pool, error) {
	opts := &pbxregistry.Options{OnRead: registryReport(log), Redact: red.Add}
	if cfg.HasDefaultPBX() {
		def := pbxregistry.FromConfig(cfg)
		def.ClientID, def.ClientSecret = f.Creds.ClientID, f.Creds.ClientSecret
		opts.Default = &def
	}
	reg, err := pbxregistry.FromEnv(ctx, lookup, secretsmanager.NewFromConfig(f.AWS), opts)
	if err != nil {
		return nil, err
	}
	pool := NewPool(reg, cfg, f.S3, red)
	if cfg.HasDefaultPBX() {
		pool.fixed[pbxregistry.Default] = f.PBX
		pool.fixedAu = []*yeastar.Auth{f.auth}
	}
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
