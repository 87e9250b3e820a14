// Package webhookapp wires the webhook function from its configuration. It
// is apart from package app, whose copy and reconcile wiring links the S3
// uploader and the PBX client: the webhook function links only what it
// calls (the secret, the queue, the handler).
package webhookapp

import (
	"context"
	"fmt"
	"log/slog"

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
// lookup): configuration, the webhook secret (from Secrets Manager when
// configured, read once per execution environment), the recording queue
// and the handler, behind lambdafn.Wrap. The secret is registered with red
// before anything can print it.
func Build(ctx context.Context, lookup func(string) (string, bool), red *redact.Redactor, log *slog.Logger) (*lambdafn.Handler, error) {
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
	// client reads AWS_ENDPOINT_URL_SQS itself.
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithHTTPClient(awshttp.NewBuildableClient()))
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	secret := cfg.Secret
	if cfg.CredentialsSecret != "" {
		if secret, err = pbxsecret.LoadWebhookSecret(ctx, secretsmanager.NewFromConfig(awsCfg), cfg.CredentialsSecret); err != nil {
			return nil, err
		}
		red.Add(secret)
	}
	h, err := webhook.NewHandler(secret, queue.New(sqs.NewFromConfig(awsCfg), cfg.QueueURL), log, &webhook.Options{Metrics: emitter})
	if err != nil {
		return nil, err
	}
	return lambdafn.Wrap(lambda.NewHandler(h.Handle), log, red, nil), nil
}
