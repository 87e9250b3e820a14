package queue

import (
	"context"
	"fmt"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// NewClient returns an SQS client from the environment: credentials,
// region, AWS_CA_BUNDLE (honoured because the HTTP client is the SDK's
// buildable one) and AWS_ENDPOINT_URL_SQS for a local endpoint, which the
// SDK reads itself.
func NewClient(ctx context.Context) (*sqs.Client, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithHTTPClient(awshttp.NewBuildableClient()))
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	return sqs.NewFromConfig(cfg), nil
}
