package app

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/pbxsecret"
	"github.com/recording-sync/recording-sync/pkg/redact"
	"github.com/recording-sync/recording-sync/pkg/tokencache"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

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

// PBXClient returns the PBX client with the token all instances (of every
// function) share through the sealed token object s3://cfg.Bucket/
// cfg.TokenCacheKey: it never logs in by itself, only the shared source
// does, under the object's lease, so that no function adds to the PBX's 8
// tokens. Every function that calls the PBX builds its client here. Every
// token and the client secret are registered with red.
func PBXClient(cfg config.Config, creds yeastar.Credentials, s3Client tokencache.S3API, red *redact.Redactor) (*yeastar.Client, error) {
	c, _, err := pbxClient(cfg, creds, s3Client, red)
	return c, err
}

// pbxClient is PBXClient, with the Auth that obtains the client's tokens:
// its TokensObtained counts this process's token renewals.
func pbxClient(cfg config.Config, creds yeastar.Credentials, s3Client tokencache.S3API, red *redact.Redactor) (*yeastar.Client, *yeastar.Auth, error) {
	opts := &yeastar.Options{APIPath: cfg.PBXAPIPath, Secrets: red}
	if cfg.PBXCACert != "" {
		hc, err := yeastar.NewHTTPClientWithCA([]byte(cfg.PBXCACert))
		if err != nil {
			return nil, nil, err
		}
		opts.HTTPClient = hc
	}
	auth, err := yeastar.NewAuth(cfg.PBXBaseURL, creds, opts)
	if err != nil {
		return nil, nil, err
	}
	store, err := tokencache.NewS3Store(s3Client, cfg.Bucket, cfg.TokenCacheKey, creds.ClientSecret)
	if err != nil {
		return nil, nil, err
	}
	tokens := tokencache.New(auth, store, &tokencache.Options{Secrets: red})
	c, err := yeastar.New(cfg.PBXBaseURL, tokens, opts)
	return c, auth, err
}
