package pbxsecret_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/recording-sync/recording-sync/pkg/pbxsecret"
)

// stored answers every GetSecretValue with one value (nil: none).
type stored struct{ value *string }

func (s stored) GetSecretValue(context.Context, *secretsmanager.GetSecretValueInput, ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	return &secretsmanager.GetSecretValueOutput{SecretString: s.value}, nil
}

// TestUnusableValue: a secret without a string value, or larger than
// Secrets Manager allows, is ErrUnusableValue for every reader, which
// says what the secret should hold and never shows the value.
func TestUnusableValue(t *testing.T) {
	large := strings.Repeat("x", 64<<10+1)
	readers := []struct {
		name, want string
		read       func(pbxsecret.API) error
	}{
		{"Text", "", func(api pbxsecret.API) error { _, err := pbxsecret.Text(t.Context(), api, "pbx"); return err }},
		{"Load", "want JSON with client_id and client_secret", func(api pbxsecret.API) error {
			_, err := pbxsecret.Load(t.Context(), api, "pbx")
			return err
		}},
		{"LoadWebhookSecret", "want the webhook secret as text, or JSON with webhook_secret", func(api pbxsecret.API) error {
			_, err := pbxsecret.LoadWebhookSecret(t.Context(), api, "pbx")
			return err
		}},
	}
	for _, r := range readers {
		for _, v := range []struct {
			name, problem string
			value         *string
		}{{"none", "(it has none)", nil}, {"too large", "(it is larger)", &large}} {
			t.Run(r.name+"/"+v.name, func(t *testing.T) {
				err := r.read(stored{v.value})
				if !errors.Is(err, pbxsecret.ErrUnusableValue) || !strings.Contains(err.Error(), "secret pbx: ") ||
					!strings.Contains(err.Error(), v.problem) || !strings.Contains(err.Error(), r.want) {
					t.Errorf("error %v, want ErrUnusableValue naming secret pbx, %q and %q", err, v.problem, r.want)
				}
				if err != nil && strings.Contains(err.Error(), "xxxx") {
					t.Error("the error shows the value")
				}
			})
		}
	}
}
