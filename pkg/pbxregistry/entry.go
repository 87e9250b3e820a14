package pbxregistry

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"

	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/recording"
)

// Default is the id of the PBX the single-PBX environment describes.
const Default = recording.DefaultPBX

// ValidateID accepts a PBX id: 1 to 32 characters from a-z, 0-9 and "-".
// Its error is a *recording.InvalidInputError.
func ValidateID(id string) error { return recording.ValidatePBX(id) }

// Entry is one PBX: where it is and its secrets.
type Entry struct {
	ID      string
	BaseURL string
	// ClientID and ClientSecret are the PBX API application's credentials.
	ClientID     string
	ClientSecret string
	// WebhookSecret is the secret the PBX signs its webhook requests with;
	// empty until stored: the PBX makes it only once its webhook is added
	// with the stack's URL, and the webhook answers 503 until then.
	WebhookSecret string
	// CACert is extra PEM certificates to trust for the PBX, if any.
	CACert string
}

// Secrets are the entry's secret values, for the caller's redactor.
func (e Entry) Secrets() []string { return []string{e.ClientSecret, e.WebhookSecret} }

// String names the entry without its secrets.
func (e Entry) String() string {
	return fmt.Sprintf("PBX %s at %s (client %s, secrets hidden)", e.ID, e.BaseURL, e.ClientID)
}

// LogValue shows the entry in a log line without its secrets.
func (e Entry) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", e.ID), slog.String("baseUrl", e.BaseURL), slog.String("clientId", e.ClientID),
		slog.Bool("webhookSecret", e.WebhookSecret != ""), slog.Bool("caCert", e.CACert != ""))
}

// FromConfig is the single-PBX environment's PBX, as config.Load reads it:
// Default, with the credentials when they are in the environment (not when
// they are in PBX_CREDENTIALS_SECRET, read when first needed).
func FromConfig(c config.Config) Entry {
	return Entry{ID: Default, BaseURL: c.PBXBaseURL, ClientID: c.ClientID, ClientSecret: c.ClientSecret, CACert: c.PBXCACert}
}

// FromWebhook is the webhook's single-PBX environment, as
// config.LoadWebhook reads it: the PBX Default with the webhook secret of
// PBX_WEBHOOK_SECRET (empty when it is in PBX_WEBHOOK_SECRET_ID, read
// apart), or nil when the webhook has no secret of its own and serves the
// registry's PBXs alone. The webhook serves its default PBX apart; the
// registry holds it only to list it.
func FromWebhook(c config.Webhook) *Entry {
	if c.Secret == "" && c.SecretID == "" {
		return nil
	}
	return &Entry{ID: Default, WebhookSecret: c.Secret}
}

// FieldError is an entry a source cannot serve: its id (or the secret's
// name) and what is wrong, never a value.
type FieldError struct {
	ID, Field, Problem string
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("PBX %s: %s", e.ID, e.Problem)
	}
	return fmt.Sprintf("PBX %s: %s %s", e.ID, e.Field, e.Problem)
}

// entryJSON is an entry as the file and the secrets hold it.
type entryJSON struct {
	BaseURL       *string `json:"base_url"`
	ClientID      *string `json:"client_id"`
	ClientSecret  *string `json:"client_secret"`
	WebhookSecret *string `json:"webhook_secret"`
	CACert        *string `json:"ca_cert"`
}

// decodeEntry reads PBX id's JSON object strictly: the three API fields
// are required, webhook_secret and ca_cert optional, nothing else allowed.
func decodeEntry(id string, raw []byte) (Entry, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var j entryJSON
	if err := dec.Decode(&j); err != nil {
		return Entry{}, &FieldError{ID: id, Problem: "is not a JSON object of base_url, client_id, client_secret, webhook_secret, ca_cert: " + recording.JSONProblem(err)}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Entry{}, &FieldError{ID: id, Problem: "has data after its JSON object"}
	}
	e := Entry{ID: id, BaseURL: strings.TrimRight(value(j.BaseURL), "/"), ClientID: value(j.ClientID), ClientSecret: value(j.ClientSecret),
		WebhookSecret: strings.TrimSpace(value(j.WebhookSecret)), CACert: value(j.CACert)}
	for _, f := range []struct{ name, v string }{{"base_url", e.BaseURL}, {"client_id", e.ClientID}, {"client_secret", e.ClientSecret}} {
		if strings.TrimSpace(f.v) == "" {
			return Entry{}, &FieldError{ID: id, Field: f.name, Problem: "is required"}
		}
	}
	if u, err := url.Parse(e.BaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Entry{}, &FieldError{ID: id, Field: "base_url", Problem: "must be an https://host[:port] URL"}
	}
	if e.CACert != "" && !strings.Contains(e.CACert, "-----BEGIN CERTIFICATE-----") {
		return Entry{}, &FieldError{ID: id, Field: "ca_cert", Problem: "holds no PEM certificate"}
	}
	return e, nil
}

func value(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
