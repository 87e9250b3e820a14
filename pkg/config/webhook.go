package config

import (
	"strings"
	"time"
)

// Webhook is the webhook function's configuration.
type Webhook struct {
	// QueueURL is the recording queue the webhook puts messages on
	// (RECORDINGS_QUEUE_URL); AWS_ENDPOINT_URL_SQS points the SDK at a
	// local endpoint.
	QueueURL string
	// SecretID is the Secrets Manager secret holding the webhook's secret,
	// as text or as JSON with webhook_secret (PBX_WEBHOOK_SECRET_ID,
	// deployed). It may hold no value yet: the PBX makes the secret only
	// once the webhook is added with the stack's URL.
	SecretID string
	// Secret is the webhook's secret itself (PBX_WEBHOOK_SECRET, local use).
	Secret string
	// Lookback is the reconciler's trailing window (RECONCILE_LOOKBACK):
	// a 30012 for a call that started more than Lookback and a day ago is
	// not queued.
	Lookback time.Duration
	// Registry lists the PBXs beyond the single one (each posts to
	// pbx/<id>). With it, SecretID and Secret may both be empty: the PBX
	// default is then served only if the registry lists it.
	Registry Registry
}

// MaxCallAge is the oldest call start a 30012 is queued for: the
// reconciler's lookback, plus a day for the PBX's unknown time zone and
// for retries.
func (c Webhook) MaxCallAge() time.Duration { return c.Lookback + 24*time.Hour }

// LoadWebhook reads the webhook function's configuration through lookup.
func LoadWebhook(lookup func(string) (string, bool)) (Webhook, error) {
	get := func(name string) string {
		v, _ := lookup(name)
		return strings.TrimSpace(v)
	}
	c := Webhook{
		SecretID: get("PBX_WEBHOOK_SECRET_ID"),
		Secret:   get("PBX_WEBHOOK_SECRET"),
	}
	var err error
	if c.Registry, err = LoadRegistry(lookup); err != nil {
		return Webhook{}, err
	}
	switch {
	case c.SecretID == "" && c.Secret == "" && !c.Registry.Enabled():
		return Webhook{}, &Error{"PBX_WEBHOOK_SECRET_ID", "or PBX_WEBHOOK_SECRET is required: where the secret the PBX signs its webhook requests with is kept"}
	case c.SecretID != "" && c.Secret != "":
		return Webhook{}, &Error{"PBX_WEBHOOK_SECRET", "is set together with PBX_WEBHOOK_SECRET_ID: use one or the other"}
	}
	if c.QueueURL, err = queueURL(get, "RECORDINGS_QUEUE_URL", true); err != nil {
		return Webhook{}, err
	}
	if c.Lookback, err = duration(get, "RECONCILE_LOOKBACK", DefaultReconcileLookback); err != nil {
		return Webhook{}, err
	}
	return c, nil
}
