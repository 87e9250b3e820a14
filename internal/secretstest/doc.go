// Package secretstest is a wire-level AWS Secrets Manager endpoint for
// tests: it speaks the AWS JSON 1.1 protocol of GetSecretValue
// (X-Amz-Target: secretsmanager.GetSecretValue) as the SDK and a function's
// built bootstrap send it (AWS_ENDPOINT_URL_SECRETS_MANAGER), keeps secrets
// the test sets and changes, and counts the reads of each.
package secretstest
