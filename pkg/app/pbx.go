package app

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/metrics"
	"github.com/recording-sync/recording-sync/pkg/pbxsecret"
	"github.com/recording-sync/recording-sync/pkg/redact"
	"github.com/recording-sync/recording-sync/pkg/tokencache"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// LoadConfig reads the configuration the copy function and the reconciler
// share, registering its client secret with red, and the metrics emitter of
// function fn. A PBX reached over plain http:// (PBX_ALLOW_HTTP) is
// warned of in log.
func LoadConfig(ctx context.Context, lookup func(string) (string, bool), red *redact.Redactor, log *slog.Logger, fn string) (config.Config, *metrics.Emitter, error) {
	cfg, err := config.Load(lookup)
	if err != nil {
		return config.Config{}, nil, err
	}
	red.Add(cfg.ClientSecret)
	if cfg.InsecureScheme() {
		log.WarnContext(ctx, "PBX_BASE_URL uses http://: tokens and what the PBX sends cross the network unencrypted")
	}
	emitter, err := config.Metrics(lookup, fn)
	if err != nil {
		return config.Config{}, nil, err
	}
	return cfg, emitter, nil
}

// PBXFunction is what the copy function and the reconciler both build
// before their own parts: the AWS configuration, the S3 client, the PBX
// credentials and the PBX client with the shared token.
type PBXFunction struct {
	AWS   aws.Config
	S3    *s3.Client
	Creds yeastar.Credentials
	// PBX is the PBX "default"'s client, and auth the Auth obtaining its
	// tokens; nil without PBX_BASE_URL.
	PBX  *yeastar.Client
	auth *yeastar.Auth
}

// BuildPBXFunction builds a PBXFunction from cfg; without the single PBX
// "default" (PBX_BASE_URL), only the AWS parts. backoff, when set, stops
// the default PBX's logins after failures in a row. The HTTP client is
// given to the AWS configuration, not per service, so that AWS_CA_BUNDLE is
// still applied to it.
func BuildPBXFunction(ctx context.Context, cfg config.Config, red *redact.Redactor, backoff *tokencache.LoginBackoff) (PBXFunction, error) {
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithHTTPClient(awsHTTPClient()))
	if err != nil {
		return PBXFunction{}, fmt.Errorf("AWS configuration: %w", err)
	}
	f := PBXFunction{AWS: awsCfg, S3: newS3Client(awsCfg, cfg.S3PathStyle)}
	if !cfg.HasDefaultPBX() {
		return f, nil // the PBXs are the registry's, built when first used
	}
	if f.Creds, err = Credentials(ctx, cfg, awsCfg, red); err != nil {
		return PBXFunction{}, err
	}
	spec := defaultSpec(cfg, f.Creds)
	spec.backoff = backoff
	if f.PBX, f.auth, err = pbxClient(spec, f.S3, red); err != nil {
		return PBXFunction{}, err
	}
	return f, nil
}

// Credentials returns the PBX API application's credentials: from Secrets
// Manager when cfg names a secret (read once per execution environment;
// warm invocations reuse what was built), else from cfg. The client secret
// is registered with red.
func Credentials(ctx context.Context, cfg config.Config, awsCfg aws.Config, red *redact.Redactor) (yeastar.Credentials, error) {
	creds := yeastar.Credentials{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret}
	if cfg.CredentialsSecret != "" {
		loaded, err := pbxsecret.Load(ctx, secretsmanager.NewFromConfig(awsCfg), cfg.CredentialsSecret)
		if err != nil {
			return yeastar.Credentials{}, err
		}
		creds = yeastar.Credentials(loaded)
	}
	red.Add(creds.ClientSecret)
	return creds, nil
}

// pbxSpec is what a PBX client is built from.
type pbxSpec struct {
	baseURL, apiPath, caCert string
	creds                    yeastar.Credentials
	// bucket and tokenKey are where the PBX's shared token object lives.
	bucket, tokenKey string
	// backoff, when set, stops the PBX's logins after failures in a row.
	backoff *tokencache.LoginBackoff
}

// defaultSpec is the spec of the single PBX of cfg, the PBX "default".
func defaultSpec(cfg config.Config, creds yeastar.Credentials) pbxSpec {
	return pbxSpec{baseURL: cfg.PBXBaseURL, apiPath: cfg.PBXAPIPath, caCert: cfg.PBXCACert, creds: creds,
		bucket: cfg.Bucket, tokenKey: cfg.TokenCacheKey}
}

// pbxClient returns the PBX client with the token all instances (of every
// function) share through the sealed token object s3://spec.bucket/
// spec.tokenKey: it never logs in by itself, only the shared source does,
// under the object's lease, so that no function adds to the PBX's 8
// tokens. Every function that calls the PBX builds its client here. Every
// token and the client secret are registered with red. The Auth returned
// obtains the client's tokens: its TokensObtained counts this process's
// token renewals.
func pbxClient(spec pbxSpec, s3Client tokencache.S3API, red *redact.Redactor) (*yeastar.Client, *yeastar.Auth, error) {
	opts := &yeastar.Options{APIPath: spec.apiPath, Secrets: red}
	if spec.caCert != "" {
		hc, err := yeastar.NewHTTPClientWithCA([]byte(spec.caCert))
		if err != nil {
			return nil, nil, err
		}
		opts.HTTPClient = hc
	}
	auth, err := yeastar.NewAuth(spec.baseURL, spec.creds, opts)
	if err != nil {
		return nil, nil, err
	}
	store, err := tokencache.NewS3Store(s3Client, spec.bucket, spec.tokenKey, spec.creds.ClientSecret)
	if err != nil {
		return nil, nil, err
	}
	tokens := tokencache.New(auth, store, &tokencache.Options{Secrets: red, LoginBackoff: spec.backoff})
	c, err := yeastar.New(spec.baseURL, tokens, opts)
	return c, auth, err
}
