package secretstest_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/recording-sync/recording-sync/internal/secretstest"
	"github.com/recording-sync/recording-sync/pkg/pbxsecret"
)

// start runs a server until the test ends, and returns it with the SDK's
// client of it.
func start(t *testing.T) (*secretstest.Server, *secretsmanager.Client) {
	t.Helper()
	srv := secretstest.New()
	t.Cleanup(srv.Close)
	return srv, srv.Client()
}

// TestThroughTheSDK reads through the SDK's client: a secret created
// without a value and an unknown one are not stored yet, a stored one is
// read, and every request is counted.
func TestThroughTheSDK(t *testing.T) {
	srv, client := start(t)
	srv.Create("webhook")
	for _, id := range []string{"webhook", "unknown"} {
		if _, err := pbxsecret.LoadWebhookSecret(t.Context(), client, id); !errors.Is(err, pbxsecret.ErrWebhookSecretNotStored) {
			t.Errorf("%s: %v, want not stored", id, err)
		}
	}
	srv.Put("webhook", "Zx8Q2mW7pL4kT9vB3nR6yH1cJ5dF0gS2")
	got, err := pbxsecret.LoadWebhookSecret(t.Context(), client, "webhook")
	if err != nil || got != "Zx8Q2mW7pL4kT9vB3nR6yH1cJ5dF0gS2" {
		t.Errorf("read %q, %v", got, err)
	}
	if srv.Reads("webhook") != 2 || srv.Reads("unknown") != 1 {
		t.Errorf("reads %d and %d, want 2 and 1", srv.Reads("webhook"), srv.Reads("unknown"))
	}
}
