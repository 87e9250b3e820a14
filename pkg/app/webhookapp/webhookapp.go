// Package webhookapp wires the webhook function from its configuration. It
// does not use package app, which links the S3 uploader and the PBX
// client: the webhook function links only what it calls (the secret, the
// queue, the handler).
package webhookapp

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/lambdafn"
	"github.com/recording-sync/recording-sync/pkg/metrics"
	"github.com/recording-sync/recording-sync/pkg/pbxsecret"
	"github.com/recording-sync/recording-sync/pkg/queue"
	"github.com/recording-sync/recording-sync/pkg/redact"
	"github.com/recording-sync/recording-sync/pkg/webhook"
)

// Build wires the webhook function from its environment (read through
// lookup): configuration, the webhook secret's keyring, the recording
// queue and the handler, behind lambdafn.Wrap. The secret is read when the
// first request comes, not here: a new stack runs before the PBX has made
// its secret, answering 503 until it is stored (see webhook.Keyring).
// Every secret read is registered with red before anything can print it.
func Build(ctx context.Context, lookup func(string) (string, bool), red *redact.Redactor, log *slog.Logger) (*lambdafn.Handler, error) {
	return build(ctx, lookup, red, log, time.Now)
}

// build is Build with the clock that paces the secret's reads and judges
// a call's age.
func build(ctx context.Context, lookup func(string) (string, bool), red *redact.Redactor, log *slog.Logger, now func() time.Time) (*lambdafn.Handler, error) {
	cfg, err := config.LoadWebhook(lookup)
	if err != nil {
		return nil, err
	}
	red.Add(cfg.Secret)
	emitter, err := config.Metrics(lookup, metrics.FunctionWebhook)
	if err != nil {
		return nil, err
	}
	// The SDK's buildable client keeps honouring AWS_CA_BUNDLE; the SQS
	// and Secrets Manager clients read AWS_ENDPOINT_URL_SQS and
	// AWS_ENDPOINT_URL_SECRETS_MANAGER themselves.
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithHTTPClient(awshttp.NewBuildableClient()))
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	sm := secretsmanager.NewFromConfig(awsCfg)
	opts := &webhook.Options{Metrics: emitter, MaxCallAge: cfg.MaxCallAge(), Now: now}
	// The default PBX's keyring, when the single-PBX configuration has one;
	// an interface left nil otherwise (see webhook.NewHandler).
	var keys webhook.Secrets
	switch {
	case cfg.SecretID != "":
		keys = webhook.NewKeyring(fetchSecret(sm, cfg.SecretID, red), now)
	case cfg.Secret != "":
		keys = webhook.StaticKeyring(cfg.Secret)
	}
	if cfg.Registry.Enabled() {
		reg, err := openRegistry(ctx, lookup, cfg, sm, red, log, now)
		if err != nil {
			return nil, err
		}
		opts.PBXs = webhook.NewPBXKeyrings(webhookSecret(reg), now)
	}
	h, err := webhook.NewHandler(keys, queue.New(sqs.NewFromConfig(awsCfg), cfg.QueueURL), log, opts)
	if err != nil {
		return nil, err
	}
	return lambdafn.Wrap(lambda.NewHandler(h.Handle), log, red, nil), nil
}

// fetchSecret reads the webhook secret from secretID, registering each
// value read with red.
func fetchSecret(api pbxsecret.API, secretID string, red *redact.Redactor) webhook.FetchFunc {
	return func(ctx context.Context) (string, error) {
		secret, err := pbxsecret.LoadWebhookSecret(ctx, api, secretID)
		red.Add(secret)
		return secret, err
	}
}
