package pbxsecret_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/pbxsecret"
)

func TestLoadWebhookSecret(t *testing.T) {
	const value = "Zx8Q2mW7pL4kT9vB3nR6yH1cJ5dF0gS2"
	cases := []struct {
		name, stored, ask string
		wantErr           string
		notStored         bool // the error wraps ErrWebhookSecretNotStored
	}{
		{"plain text", value, "pbx", "", false},
		{"plain text with a trailing newline", value + "\n", "pbx", "", false},
		{"JSON alone", `{"webhook_secret":"` + value + `"}`, "pbx", "", false},
		{"JSON beside the credentials", `{"client_id":"abc","client_secret":"x","webhook_secret":"` + value + `"}`, "pbx", "", false},
		{"JSON without webhook_secret", `{"client_id":"abc","client_secret":"` + value + `"}`, "pbx", "secret pbx: webhook_secret: no webhook secret stored yet", true},
		{"empty", "", "pbx", "secret pbx: no webhook secret stored yet", true},
		{"no value yet", `{}`, "other", "secret other: no webhook secret stored yet", true},
		{"not a string", `{"webhook_secret":["` + value + `"]}`, "pbx", "secret pbx: a JSON object without a string webhook_secret", false},
		{"broken JSON", `{"webhook_secret":"` + value, "pbx", "secret pbx: a JSON object without a string webhook_secret", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var calls int
			srv := fakeSecretsManager(t, "pbx", tc.stored, &calls)
			got, err := pbxsecret.LoadWebhookSecret(t.Context(), client(srv.URL), tc.ask)
			if calls != 1 {
				t.Errorf("%d calls to Secrets Manager, want 1", calls)
			}
			if tc.wantErr == "" {
				if err != nil || got != value {
					t.Fatalf("LoadWebhookSecret = %q, %v", got, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("LoadWebhookSecret error = %v, want %q", err, tc.wantErr)
			}
			if errors.Is(err, pbxsecret.ErrWebhookSecretNotStored) != tc.notStored {
				t.Errorf("error %v wraps ErrWebhookSecretNotStored: %v, want %v", err, !tc.notStored, tc.notStored)
			}
			if strings.Contains(err.Error(), value) {
				t.Errorf("error shows the secret: %v", err)
			}
		})
	}
}

// TestLoadWebhookSecretAccessDenied: a refusal is not "not stored yet":
// it names the secret and the service's error.
func TestLoadWebhookSecretAccessDenied(t *testing.T) {
	var calls int
	srv := fakeSecretsManager(t, "pbx", "denied", &calls)
	_, err := pbxsecret.LoadWebhookSecret(t.Context(), client(srv.URL), "pbx")
	if err == nil || errors.Is(err, pbxsecret.ErrWebhookSecretNotStored) || !strings.Contains(err.Error(), "read secret pbx") ||
		!strings.Contains(err.Error(), "AccessDeniedException") {
		t.Fatalf("error %v, want a read error naming AccessDeniedException", err)
	}
	if calls != 1 {
		t.Errorf("%d calls, want 1", calls)
	}
}
