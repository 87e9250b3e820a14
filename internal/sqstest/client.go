package sqstest

import (
	"testing"

	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// Credentials and region the clients of this server use; the server does
// not check signatures.
const (
	AccessKey = "localaccesskey"
	SecretKey = "localsecretkey"
	Region    = "us-east-1"
)

// Env returns the AWS SDK environment that points a process's SQS client
// at this server (a function under the emulator, say).
func (s *Server) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL_SQS=" + s.URL(),
		"AWS_ACCESS_KEY_ID=" + AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + SecretKey,
		"AWS_REGION=" + Region,
	}
}

// Client returns the SDK's SQS client talking to this server, with opts
// applied after the endpoint.
func (s *Server) Client(ctx context.Context, opts ...func(*sqs.Options)) (*sqs.Client, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx,
		awsconfig.WithRegion(Region),
		awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(AccessKey, SecretKey, "")),
	)
	if err != nil {
		return nil, err
	}
	return sqs.NewFromConfig(cfg, append([]func(*sqs.Options){func(o *sqs.Options) {
		o.BaseEndpoint = aws.String(s.URL())
		o.HTTPClient = readOnlyBodyClient{awshttp.NewBuildableClient()}
	}}, opts...)...), nil
}

// Start runs a server with opts until the test ends and returns it with a
// client of it that makes one attempt a call: a test of a fault sees the
// fault once, not again in the SDK's retries.
func Start(t testing.TB, opts Options) (*Server, *sqs.Client) {
	t.Helper()
	srv := New(opts)
	t.Cleanup(srv.Close)
	client, err := srv.Client(t.Context(), func(o *sqs.Options) { o.RetryMaxAttempts = 1 })
	if err != nil {
		t.Fatal(err)
	}
	return srv, client
}
