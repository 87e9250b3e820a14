// Command recording-sync is the Lambda function (the bootstrap of a
// provided.al2023 runtime) that copies Yeastar PBX call recordings into S3.
// It only wires: configuration, clients, lambda.Start.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
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

func main() {
	red := redact.New()
	log := slog.New(red.Handler(lambdacontext.NewLogHandler()))
	h, err := setup(context.Background(), red, log)
	if err != nil {
		fmt.Fprintln(os.Stderr, "recording-sync:", red.String(err.Error()))
		os.Exit(1)
	}
	lambda.Start(handler.NewPublic(h, red))
}

// setup builds the handler from the environment. Every secret it meets is
// registered with red before anything can print it.
func setup(ctx context.Context, red *redact.Redactor, log *slog.Logger) (*handler.Handler, error) {
	cfg, err := config.Load(os.LookupEnv)
	if err != nil {
		return nil, err
	}
	red.Add(cfg.ClientSecret)
	if limit := config.MemoryLimit(os.LookupEnv); limit > 0 {
		debug.SetMemoryLimit(limit)
	}
	if cfg.InsecureScheme() {
		log.Warn("PBX_BASE_URL uses http://: tokens and recordings cross the network unencrypted")
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	s3Client := s3.NewFromConfig(awsCfg, func(o *s3.Options) { o.UsePathStyle = cfg.S3PathStyle })
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
	store := s3store.New(s3Client, nil)
	copier := recording.NewCopier(pbx, store, cfg.Bucket, cfg.KeyTemplate, &recording.Options{StallTimeout: cfg.StallTimeout})
	return handler.New(copier, log, &handler.Options{BatchConcurrency: cfg.BatchConcurrency}), nil
}
