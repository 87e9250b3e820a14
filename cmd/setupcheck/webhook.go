package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// sendTestMessage is how to have the PBX itself call the webhook: its API
// has no endpoint for that, the portal has a button.
const sendTestMessage = "the PBX's API cannot send a webhook test: in the PBX portal, Integrations > API, Webhook Event Push, press Send Test Message beside the webhook whose URL is this one; the webhook function's log then shows the test message"

// checkWebhook posts an unsigned, empty event to the stack's WebhookUrl: a
// webhook that answers 401 is reachable and checks signatures. The PBX's
// own test message is left to the portal's button (sendTestMessage).
func checkWebhook(ctx context.Context, webhookURL string, rep *reporter) {
	const name = "webhook"
	if webhookURL == "" {
		rep.step(statusWarn, name, "no -webhook-url (or WEBHOOK_URL): not checked", "pass the stack's WebhookUrl output; "+sendTestMessage)
		return
	}
	u, err := url.Parse(webhookURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		rep.step(statusFail, name, fmt.Sprintf("%q is not an http(s) URL", webhookURL), "pass the stack's WebhookUrl output")
		return
	}
	status, err := probeWebhook(ctx, webhookURL)
	switch {
	case err != nil:
		rep.step(statusFail, name, "cannot reach "+u.Host+": "+err.Error(), "pass the stack's WebhookUrl output; check that the stack is deployed")
	case status == http.StatusUnauthorized:
		rep.step(statusOK, name, "reachable; refuses an unsigned request (401) as it should. Next: "+sendTestMessage, "")
	default:
		rep.step(statusFail, name, fmt.Sprintf("an unsigned request got HTTP %d, want 401", status),
			"check that the URL is the stack's WebhookUrl output (the pbx-webhook function's URL)")
	}
}

// probeWebhook posts {} without X-Signature and returns the HTTP status.
func probeWebhook(ctx context.Context, webhookURL string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, webhookURL, bytes.NewReader([]byte("{}")))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	hc := &http.Client{Timeout: 20 * time.Second}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}
