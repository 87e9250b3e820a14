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
