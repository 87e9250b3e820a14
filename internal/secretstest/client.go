package secretstest

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Client returns the SDK's Secrets Manager client talking to this server.
// It does not retry, so that an injected failure reaches the caller as it
// is and fires once.
func (s *Server) Client() *secretsmanager.Client {
	return secretsmanager.New(secretsmanager.Options{
		Region: Region, BaseEndpoint: aws.String(s.URL()), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
	})
}
