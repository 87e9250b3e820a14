package pbxsecret

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// ErrWebhookSecretNotStored means the webhook's secret holds no value yet:
// the PBX generates it only when a webhook is added, which needs the
// stack's URL, so a new stack runs without it for a while.
var ErrWebhookSecretNotStored = errors.New("no webhook secret stored yet (add the webhook in the PBX with the stack's WebhookUrl, then store the secret the PBX shows)")

// LoadWebhookSecret fetches secretID and returns the secret the PBX signs
// its webhook requests with: the secret's whole text, or its
// "webhook_secret" field when the text is a JSON object. A secret without
// a value (created empty, or not created yet) is an error wrapping
// ErrWebhookSecretNotStored. Errors name the secret and the problem, never
// its content.
func LoadWebhookSecret(ctx context.Context, api API, secretID string) (string, error) {
	text, err := Text(ctx, api, secretID)
	var notFound *types.ResourceNotFoundException
	switch {
	case errors.As(err, &notFound):
		return "", fmt.Errorf("secret %s: %w", secretID, ErrWebhookSecretNotStored)
	case errors.Is(err, ErrUnusableValue):
		return "", fmt.Errorf("%w: want the webhook secret as text, or JSON with webhook_secret", err)
	case err != nil:
		return "", err
	}
	text = strings.TrimSpace(text)
	if !strings.HasPrefix(text, "{") {
		if text == "" {
			return "", fmt.Errorf("secret %s: %w", secretID, ErrWebhookSecretNotStored)
		}
		return text, nil
	}
	var s struct {
		WebhookSecret string `json:"webhook_secret"`
	}
	if err := json.Unmarshal([]byte(text), &s); err != nil {
		// The JSON error may quote the secret's text: leave it out.
		return "", fmt.Errorf("secret %s: a JSON object without a string webhook_secret", secretID)
	}
	if s.WebhookSecret == "" {
		return "", fmt.Errorf("secret %s: webhook_secret: %w", secretID, ErrWebhookSecretNotStored)
	}
	return s.WebhookSecret, nil
}
