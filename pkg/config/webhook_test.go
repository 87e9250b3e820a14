package config

import (
	"strings"
	"testing"
	"time"
)

func TestLoadWebhook(t *testing.T) {
	const queue = "https://sqs.eu-west-1.amazonaws.com/123456789012/recording-sync-RecordingQueue"
	const secret = "Zx8Q2mW7pL4kT9vB3nR6yH1cJ5dF0gS2"
	tests := []struct {
		name    string
		env     map[string]string
		want    Webhook
		wantErr string
	}{
		{"deployed", map[string]string{"RECORDINGS_QUEUE_URL": queue, "PBX_WEBHOOK_SECRET_ID": "pbx/recording-sync/webhook", "RECONCILE_LOOKBACK": "48h"},
			Webhook{QueueURL: queue, SecretID: "pbx/recording-sync/webhook", Lookback: 48 * time.Hour}, ""},
		{"local", map[string]string{"RECORDINGS_QUEUE_URL": queue, "PBX_WEBHOOK_SECRET": secret},
			Webhook{QueueURL: queue, Secret: secret, Lookback: DefaultReconcileLookback}, ""},
		{"the credentials secret is not the webhook's", map[string]string{"RECORDINGS_QUEUE_URL": queue, "PBX_CREDENTIALS_SECRET": "pbx/recording-sync"},
			Webhook{}, "PBX_WEBHOOK_SECRET_ID or PBX_WEBHOOK_SECRET is required"},
		{"no secret", map[string]string{"RECORDINGS_QUEUE_URL": queue}, Webhook{}, "PBX_WEBHOOK_SECRET_ID or PBX_WEBHOOK_SECRET is required"},
		{"both secrets", map[string]string{"RECORDINGS_QUEUE_URL": queue, "PBX_WEBHOOK_SECRET": secret, "PBX_WEBHOOK_SECRET_ID": "x"},
			Webhook{}, "PBX_WEBHOOK_SECRET is set together with PBX_WEBHOOK_SECRET_ID"},
		{"no queue", map[string]string{"PBX_WEBHOOK_SECRET": secret}, Webhook{}, "RECORDINGS_QUEUE_URL is required"},
		{"queue not a URL", map[string]string{"PBX_WEBHOOK_SECRET": secret, "RECORDINGS_QUEUE_URL": "recording-queue"},
			Webhook{}, "RECORDINGS_QUEUE_URL must be an SQS queue URL"},
		{"lookback not a duration", map[string]string{"PBX_WEBHOOK_SECRET": secret, "RECORDINGS_QUEUE_URL": queue, "RECONCILE_LOOKBACK": "a day"},
			Webhook{}, "RECONCILE_LOOKBACK must be a Go duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadWebhook(func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok })
			if tt.wantErr == "" {
				if err != nil || got != tt.want {
					t.Fatalf("LoadWebhook = %+v, %v; want %+v", got, err, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("LoadWebhook error = %v, want %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error shows the secret: %v", err)
			}
		})
	}
}

func TestWebhookMaxCallAge(t *testing.T) {
	if got := (Webhook{Lookback: 26 * time.Hour}).MaxCallAge(); got != 50*time.Hour {
		t.Errorf("MaxCallAge = %v, want the lookback and a day, 50h", got)
	}
}
