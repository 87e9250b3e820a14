package config

import (
	"net/url"
	"strings"
)

// Webhook is the webhook function's configuration.
type Webhook struct {
	// QueueURL is the recording queue the webhook puts messages on
	// (RECORDINGS_QUEUE_URL); AWS_ENDPOINT_URL_SQS points the SDK at a
	// local endpoint.
	QueueURL string
	// CredentialsSecret is the Secrets Manager secret whose webhook_secret
	// field holds the webhook's secret (PBX_CREDENTIALS_SECRET, deployed).
	CredentialsSecret string
	// Secret is the webhook's secret itself (PBX_WEBHOOK_SECRET, local use).
	Secret string
}

// LoadWebhook reads the webhook function's configuration through lookup.
func LoadWebhook(lookup func(string) (string, bool)) (Webhook, error) {
	get := func(name string) string {
		v, _ := lookup(name)
		return strings.TrimSpace(v)
	}
	c := Webhook{
		QueueURL:          get("RECORDINGS_QUEUE_URL"),
		CredentialsSecret: get("PBX_CREDENTIALS_SECRET"),
		Secret:            get("PBX_WEBHOOK_SECRET"),
	}
	switch {
	case c.CredentialsSecret == "" && c.Secret == "":
		return Webhook{}, &Error{"PBX_CREDENTIALS_SECRET", "or PBX_WEBHOOK_SECRET is required: the secret the PBX signs its webhook requests with"}
	case c.CredentialsSecret != "" && c.Secret != "":
		return Webhook{}, &Error{"PBX_WEBHOOK_SECRET", "is set together with PBX_CREDENTIALS_SECRET: use one or the other"}
	}
	if c.QueueURL == "" {
		return Webhook{}, &Error{"RECORDINGS_QUEUE_URL", "is required (the recording queue's URL)"}
	}
	if u, err := url.Parse(c.QueueURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Webhook{}, &Error{"RECORDINGS_QUEUE_URL", "must be an SQS queue URL, https://sqs.REGION.amazonaws.com/ACCOUNT/NAME"}
	}
	return c, nil
}
