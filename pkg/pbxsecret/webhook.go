package pbxsecret

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// LoadWebhookSecret fetches secretID and returns its "webhook_secret"
// field: the secret the PBX signs its webhook requests with, kept beside
// the API credentials. Errors name the secret and the problem, never its
// content.
func LoadWebhookSecret(ctx context.Context, api API, secretID string) (string, error) {
	out, err := api.GetSecretValue(ctx, getInput(secretID))
	if err != nil {
		return "", fmt.Errorf("read secret %s: %w", secretID, err)
	}
	if out.SecretString == nil {
		return "", fmt.Errorf("secret %s: has no string value (want JSON with webhook_secret)", secretID)
	}
	if len(*out.SecretString) > maxSecretLen {
		return "", fmt.Errorf("secret %s: larger than %d bytes", secretID, maxSecretLen)
	}
	var s struct {
		WebhookSecret string `json:"webhook_secret"`
	}
	if err := json.Unmarshal([]byte(*out.SecretString), &s); err != nil {
		// The JSON error may quote the secret's text: leave it out.
		return "", fmt.Errorf("secret %s: not JSON with webhook_secret", secretID)
	}
	if s.WebhookSecret == "" {
		return "", fmt.Errorf("secret %s: webhook_secret is required (the secret the PBX shows for the webhook)", secretID)
	}
	return s.WebhookSecret, nil
}

func getInput(secretID string) *secretsmanager.GetSecretValueInput {
	return &secretsmanager.GetSecretValueInput{SecretId: &secretID}
}
