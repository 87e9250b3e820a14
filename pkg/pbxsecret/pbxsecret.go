// Package pbxsecret reads the PBX API application's credentials from AWS
// Secrets Manager, where a deployed function keeps them (environment
// variables are for local use only).
package pbxsecret

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// maxSecretLen bounds the secret string; Secrets Manager allows 64 KiB.
const maxSecretLen = 64 << 10

// API is the part of the Secrets Manager client this package uses.
type API interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

var _ API = (*secretsmanager.Client)(nil)

// ErrUnusableValue means a secret was read but holds no text value of a
// reasonable size: it needs fixing by whoever stored it, and reading it
// again will not help.
var ErrUnusableValue = errors.New("no text value of at most 64 KiB")

// Text fetches secretID and returns its string value, bounded in size. A
// service error is wrapped as it is (errors.As finds its type, e.g.
// *types.ResourceNotFoundException); a value that is not usable text wraps
// ErrUnusableValue. Errors name the secret, never its content. Load and
// LoadWebhookSecret read through it.
func Text(ctx context.Context, api API, secretID string) (string, error) {
	out, err := api.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &secretID})
	switch {
	case err != nil:
		return "", fmt.Errorf("read secret %s: %w", secretID, err)
	case out.SecretString == nil:
		return "", fmt.Errorf("secret %s: %w (it has none)", secretID, ErrUnusableValue)
	case len(*out.SecretString) > maxSecretLen:
		return "", fmt.Errorf("secret %s: %w (it is larger)", secretID, ErrUnusableValue)
	}
	return *out.SecretString, nil
}

// Credentials are the PBX API application's credentials, as the secret
// holds them. They are a plain value, so that a function that reads only
// the webhook secret does not link the PBX client.
type Credentials struct {
	ClientID     string
	ClientSecret string
}

// secretJSON is the secret's shape.
type secretJSON struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
}

// Load fetches secretID and decodes {"client_id": "...", "client_secret": "..."}.
// Errors name the secret and the problem, never its content.
func Load(ctx context.Context, api API, secretID string) (Credentials, error) {
	text, err := Text(ctx, api, secretID)
	if errors.Is(err, ErrUnusableValue) {
		return Credentials{}, fmt.Errorf("%w: want JSON with client_id and client_secret", err)
	}
	if err != nil {
		return Credentials{}, err
	}
	var s secretJSON
	if err := json.Unmarshal([]byte(text), &s); err != nil {
		// The JSON error may quote the secret's text: leave it out.
		return Credentials{}, fmt.Errorf("secret %s: not JSON with client_id and client_secret", secretID)
	}
	if s.ClientID == "" || s.ClientSecret == "" {
		return Credentials{}, fmt.Errorf("secret %s: client_id and client_secret are both required", secretID)
	}
	return Credentials(s), nil
}
