// Package secretstest is a wire-level AWS Secrets Manager endpoint for
// tests: it speaks the AWS JSON 1.1 protocol of GetSecretValue and
// ListSecrets (X-Amz-Target: secretsmanager.GetSecretValue, ...) as the SDK
// and a function's built bootstrap send it
// (AWS_ENDPOINT_URL_SECRETS_MANAGER), keeps secrets the test sets, changes
// and deletes, counts the requests, and fails them on demand.
package secretstest
