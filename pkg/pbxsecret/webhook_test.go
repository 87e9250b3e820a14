package pbxsecret_test

import (
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/pbxsecret"
)

func TestLoadWebhookSecret(t *testing.T) {
	const value = "Zx8Q2mW7pL4kT9vB3nR6yH1cJ5dF0gS2"
	cases := []struct {
		name, stored, ask, wantErr string
	}{
		{"beside the credentials", `{"client_id":"abc","client_secret":"x","webhook_secret":"` + value + `"}`, "pbx", ""},
		{"alone", `{"webhook_secret":"` + value + `"}`, "pbx", ""},
		{"missing", `{"client_id":"abc","client_secret":"` + value + `"}`, "pbx", "secret pbx: webhook_secret is required"},
		{"not JSON", value, "pbx", "secret pbx: not JSON with webhook_secret"},
		{"not a string", `{"webhook_secret":["` + value + `"]}`, "pbx", "secret pbx: not JSON with webhook_secret"},
		{"no such secret", `{}`, "other", "read secret other"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var calls int
			srv := fakeSecretsManager(t, "pbx", tc.stored, &calls)
			got, err := pbxsecret.LoadWebhookSecret(t.Context(), client(srv.URL), tc.ask)
			if tc.wantErr == "" {
				if err != nil || got != value {
					t.Fatalf("LoadWebhookSecret = %q, %v", got, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("LoadWebhookSecret error = %v, want %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), value) {
				t.Errorf("error shows the secret: %v", err)
			}
			if calls != 1 {
				t.Errorf("%d calls to Secrets Manager, want 1", calls)
			}
		})
	}
}
