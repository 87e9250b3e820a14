package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/recording-sync/recording-sync/pkg/pbxregistry"
	"github.com/recording-sync/recording-sync/pkg/webhook"
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
	u, ok := parseWebhookURL(webhookURL, rep)
	if !ok {
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

// pbxWebhookURL is PBX id's webhook URL: the bare URL for the default PBX,
// <WebhookUrl>pbx/<id> for the others.
func pbxWebhookURL(webhookURL, id string) string {
	if id == pbxregistry.Default {
		return webhookURL
	}
	return strings.TrimRight(webhookURL, "/") + webhook.PathPrefix + id
}

// checkPBXWebhook posts an unsigned, empty event to PBX id's webhook URL,
// which must answer 401: 404 means the webhook function does not serve
// the PBX, 503 that its webhook_secret is not stored yet.
func checkPBXWebhook(ctx context.Context, webhookURL, id string, rep *reporter) {
	const name = "webhook"
	if webhookURL == "" {
		rep.step(statusWarn, name, "no -webhook-url (or WEBHOOK_URL): not checked", "pass the stack's WebhookUrl output; "+sendTestMessage)
		return
	}
	if _, ok := parseWebhookURL(webhookURL, rep); !ok {
		return
	}
	u := pbxWebhookURL(webhookURL, id)
	status, err := probeWebhook(ctx, u)
	switch {
	case err != nil:
		rep.step(statusFail, name, "cannot reach "+u+": "+err.Error(), "pass the stack's WebhookUrl output; check that the stack is deployed")
	case status == http.StatusUnauthorized:
		rep.step(statusOK, name, u+" reachable; refuses an unsigned request (401) as it should. Next: "+sendTestMessage, "")
	case status == http.StatusNotFound:
		rep.step(statusFail, name, u+" answered 404: the webhook function does not serve PBX "+id,
			"the function reads the PBX list every 5 minutes: run the check again after that; check that the PBX's secret is named with the stack's PbxSecretPrefix and the id (locally: that the webhook reads the same PBX_REGISTRY_FILE)")
	case status == http.StatusServiceUnavailable:
		rep.step(statusWarn, name, u+" answered 503: no webhook_secret of PBX "+id+" stored yet (or the function cannot read the PBX list: its log says which)",
			"add the webhook in the PBX portal with this URL, then store the secret the PBX shows as webhook_secret in the PBX's entry; until then the PBX's events wait and the reconciler still finds its recordings")
	default:
		rep.step(statusFail, name, fmt.Sprintf("%s: an unsigned request got HTTP %d, want 401", u, status),
			"check that the URL is the stack's WebhookUrl output (the pbx-webhook function's URL)")
	}
}

// parseWebhookURL checks that webhookURL is an http(s) URL, reporting it
// when it is not.
func parseWebhookURL(webhookURL string, rep *reporter) (*url.URL, bool) {
	u, err := url.Parse(webhookURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		rep.step(statusFail, "webhook", fmt.Sprintf("%q is not an http(s) URL", webhookURL), "pass the stack's WebhookUrl output")
		return nil, false
	}
	return u, true
}
