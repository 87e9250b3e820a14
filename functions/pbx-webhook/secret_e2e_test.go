package main

import (
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/internal/secretstest"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

const webhookSecretID = "pbx/recording-sync/webhook"

// withSecretsManager starts a Secrets Manager endpoint holding the
// webhook's secret (value; nil: created without one) and the webhook
// function reading it from there.
func withSecretsManager(t *testing.T, value *string) (*stack, *secretstest.Server) {
	t.Helper()
	sm := secretstest.New()
	t.Cleanup(sm.Close)
	sm.Create(webhookSecretID)
	if value != nil {
		sm.Put(webhookSecretID, *value)
	}
	return newWebhookEnv(t, append(sm.Env(), "PBX_WEBHOOK_SECRET_ID="+webhookSecretID)...), sm
}

// TestWebhookBeforeItsSecret: deployed before the PBX made the secret (the
// secret created empty), the built function starts, answers 503 with one
// clear line per request, queues nothing, and reads the secret once for
// requests within a minute, even once the secret is stored. (That it then
// takes the secret without a restart, a minute on, is shown with an
// injected clock in package webhookapp.)
func TestWebhookBeforeItsSecret(t *testing.T) {
	st, sm := withSecretsManager(t, nil)
	body := callEnd(t)
	event := functionURLEvent("POST", body, yeastartest.WebhookSignature(body, testSecret))
	for i := range 3 {
		if i == 2 {
			sm.Put(webhookSecretID, testSecret)
		}
		if resp := st.post(t, event); resp.StatusCode != 503 {
			t.Errorf("post %d: answer %+v, want 503", i, resp)
		}
	}
	if n := sm.Reads(webhookSecretID); n != 1 {
		t.Errorf("%d reads of the secret, want 1 within the minute", n)
	}
	if n := len(st.sqs.Messages("recording-sync-RecordingQueue")); n != 0 {
		t.Errorf("queue holds %d messages, want none", n)
	}
	logs := st.out.String()
	want := `"reason":"no usable webhook secret yet, read again at most once a minute: secret ` + webhookSecretID + `: no webhook secret stored yet`
	if strings.Count(logs, want) != 3 || strings.Count(logs, `"message":"webhook request"`) != 3 {
		t.Errorf("want 3 request lines saying %s in:\n%s", want, logs)
	}
	if strings.Contains(logs, testSecret) {
		t.Errorf("the output shows the secret:\n%s", logs)
	}
}

// TestWebhookSecretFromSecretsManager: the secret stored as text or as
// JSON is read once and used; one shorter than 16 bytes is refused with a
// line naming the length.
func TestWebhookSecretFromSecretsManager(t *testing.T) {
	cases := []struct {
		name, stored string
		status       int
		log          string
	}{
		{"plain text", testSecret, 200, `"reason":"queued"`},
		{"JSON", `{"webhook_secret":"` + testSecret + `"}`, 200, `"reason":"queued"`},
		{"too short", "short-secret", 503, "secret shorter than 16 bytes refused (the PBX generates 32 characters)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, sm := withSecretsManager(t, &tc.stored)
			body := callEnd(t)
			key := testSecret
			if tc.status != 200 {
				key = tc.stored
			}
			event := functionURLEvent("POST", body, yeastartest.WebhookSignature(body, key))
			for range 2 {
				if resp := st.post(t, event); resp.StatusCode != tc.status {
					t.Errorf("answer %+v, want %d", resp, tc.status)
				}
			}
			if n := sm.Reads(webhookSecretID); n != 1 {
				t.Errorf("%d reads of the secret, want 1", n)
			}
			wantQueued := 0
			if tc.status == 200 {
				wantQueued = 2
			}
			if n := len(st.sqs.Messages("recording-sync-RecordingQueue")); n != wantQueued {
				t.Errorf("queue holds %d messages, want %d", n, wantQueued)
			}
			if logs := st.out.String(); !strings.Contains(logs, tc.log) || strings.Contains(logs, testSecret) {
				t.Errorf("want %s and no secret in:\n%s", tc.log, logs)
			}
		})
	}
}
