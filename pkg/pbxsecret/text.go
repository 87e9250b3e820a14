package pbxsecret

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// ErrUnusableValue means a secret was read but holds no text value of a
// reasonable size: it needs fixing by whoever stored it, and reading it
// again will not help.
var ErrUnusableValue = errors.New("no text value of at most 64 KiB")

// Text fetches secretID and returns its string value, bounded in size. A
// service error is wrapped as it is (errors.As finds its type, e.g.
// *types.ResourceNotFoundException); a value that is not usable text wraps
// ErrUnusableValue. Errors name the secret, never its
// content.
func Text(ctx context.Context, api API, secretID string) (string, error) {
	out, err := api.GetSecretValue(ctx, getInput(secretID))
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

func getInput(secretID string) *secretsmanager.GetSecretValueInput {
	return &secretsmanager.GetSecretValueInput{SecretId: &secretID}
}
