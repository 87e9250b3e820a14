// Command pbx-webhook is the Lambda function behind the stack's Function
// URL that receives the Yeastar PBX's webhook requests: it checks their
// signature and puts the recording a call-end event (30012) names on the
// recording queue, with the call's details. It only wires: configuration,
// the secret, the SQS client, lambda.Start.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/metrics"
	"github.com/recording-sync/recording-sync/pkg/pbxsecret"
	"github.com/recording-sync/recording-sync/pkg/queue"
	"github.com/recording-sync/recording-sync/pkg/redact"
	"github.com/recording-sync/recording-sync/pkg/webhook"
)

func main() {
	red := redact.New()
	log := slog.New(red.Handler(lambdacontext.NewLogHandler()))
	h, err := build(context.Background(), os.LookupEnv, red, log)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pbx-webhook:", red.String(err.Error()))
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}

// build wires the handler from the environment; the secret is registered
// with red before anything can print it.
func build(ctx context.Context, lookup func(string) (string, bool), red *redact.Redactor, log *slog.Logger) (*webhook.Handler, error) {
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
		// Read once per execution environment; warm invocations reuse it.
		if secret, err = pbxsecret.LoadWebhookSecret(ctx, secretsmanager.NewFromConfig(awsCfg), cfg.CredentialsSecret); err != nil {
			return nil, err
		}
		red.Add(secret)
	}
	return webhook.NewHandler(secret, queue.New(sqs.NewFromConfig(awsCfg), cfg.QueueURL), log, &webhook.Options{Metrics: emitter})
}
