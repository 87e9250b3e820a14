// Package config reads the function's configuration from its environment.
// Only main calls it; every other package takes plain values.
package config

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/recording-sync/recording-sync/pkg/recording"
)

// Config is the function's configuration.
type Config struct {
	PBXBaseURL string
	// PBXAllowHTTP is set by PBX_ALLOW_HTTP=true, without which a plain
	// http:// PBX_BASE_URL is refused: the client secret travels in the
	// get_token body, and tokens and recordings in every exchange.
	PBXAllowHTTP bool
	PBXAPIPath   string
	ClientID     string
	ClientSecret string
	// CredentialsSecret is the Secrets Manager secret holding the
	// credentials when they are not in the environment (deployed use).
	CredentialsSecret string
	Bucket            string
	KeyTemplate       recording.KeyTemplate
	// BatchConcurrency is how many records of an SQS batch are copied at
	// once (BATCH_CONCURRENCY, 1-10); 0 means the handler's default.
	BatchConcurrency int
	// StallTimeout is how long a download may deliver nothing before it
	// is resumed (DOWNLOAD_STALL_TIMEOUT, a Go duration); 0 means the
	// copier's default.
	StallTimeout time.Duration
	// TokenCacheKey is the object, in the recordings bucket, through which
	// all instances share one PBX access token (TOKEN_CACHE_KEY). It lies
	// outside the recordings' key prefix.
	TokenCacheKey string
	// PBXCACert is extra CA certificates (PEM) to trust for the PBX
	// (PBX_CA_CERT: the PEM text itself, also with its line breaks turned
	// into spaces, or a path to a PEM file).
	PBXCACert string
	// DeadLetterQueueURL is the recording queue's dead-letter queue
	// (DEAD_LETTER_QUEUE_URL, optional): SQS records that can never
	// succeed are moved there at once instead of being redelivered.
	DeadLetterQueueURL string
	// QueueURL is the recording queue (RECORDINGS_QUEUE_URL, optional for
	// the copy function): its records that only wait for a busy PBX are
	// handed back to it early (copyhandler.Returner). The webhook and the
	// reconciler, which send to it, require it.
	QueueURL string
	// S3PathStyle is set when AWS_ENDPOINT_URL_S3 points at a local S3
	// server, which serves buckets by path, not by host name.
	S3PathStyle bool
	// Registry is where more PBXs come from. When it is set, the
	// single-PBX variables (PBX_BASE_URL and its credentials) are
	// optional: without PBX_BASE_URL there is no PBX "default".
	Registry Registry
}

// HasDefaultPBX reports whether the environment describes the single PBX
// "default" (PBX_BASE_URL).
func (c Config) HasDefaultPBX() bool { return c.PBXBaseURL != "" }

// DefaultTokenCacheKey is where the shared PBX token lives by default.
const DefaultTokenCacheKey = ".recording-sync/pbx-token.json"

// Error is a missing or malformed variable.
type Error struct {
	Var, Problem string
}

func (e *Error) Error() string { return fmt.Sprintf("configuration: %s %s", e.Var, e.Problem) }

// Load reads the configuration through lookup (os.LookupEnv in main).
func Load(lookup func(string) (string, bool)) (Config, error) {
	get := func(name string) string {
		v, _ := lookup(name)
		return strings.TrimSpace(v)
	}
	c := Config{
		PBXBaseURL:        strings.TrimRight(get("PBX_BASE_URL"), "/"),
		PBXAPIPath:        get("PBX_API_PATH"),
		ClientID:          get("PBX_CLIENT_ID"),
		ClientSecret:      get("PBX_CLIENT_SECRET"),
		CredentialsSecret: get("PBX_CREDENTIALS_SECRET"),
		Bucket:            get("RECORDINGS_BUCKET"),
		S3PathStyle:       get("AWS_ENDPOINT_URL_S3") != "",
	}
	reg, err := LoadRegistry(lookup)
	if err != nil {
		return Config{}, err
	}
	c.Registry = reg
	if c.PBXBaseURL == "" && !reg.Enabled() {
		return Config{}, &Error{"PBX_BASE_URL", "is required (e.g. https://pbx.example.com:8088)"}
	}
	if err := c.checkScheme(get("PBX_ALLOW_HTTP")); err != nil {
		return Config{}, err
	}
	if c.PBXAPIPath == "" {
		c.PBXAPIPath = "openapi/v1.0"
	}
	if err := c.checkCredentials(); err != nil {
		return Config{}, err
	}
	if c.Bucket == "" {
		return Config{}, &Error{"RECORDINGS_BUCKET", "is required"}
	}
	if v := get("PBX_CA_CERT"); v != "" {
		pem, err := readPEM(v)
		if err != nil {
			return Config{}, &Error{"PBX_CA_CERT", err.Error()}
		}
		c.PBXCACert = string(pem)
	}
	if v := get("BATCH_CONCURRENCY"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10 {
			return Config{}, &Error{"BATCH_CONCURRENCY", "must be an integer from 1 to 10"}
		}
		c.BatchConcurrency = n
	}
	if v := get("DOWNLOAD_STALL_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second {
			return Config{}, &Error{"DOWNLOAD_STALL_TIMEOUT", "must be a duration of at least 1s, e.g. 10s"}
		}
		c.StallTimeout = d
	}
	keys, err := recording.ParseKeyTemplate(get("RECORDINGS_KEY_TEMPLATE"))
	if err != nil {
		return Config{}, &Error{"RECORDINGS_KEY_TEMPLATE", err.Error()}
	}
	c.KeyTemplate = keys
	if c.DeadLetterQueueURL, err = queueURL(get, "DEAD_LETTER_QUEUE_URL", false); err != nil {
		return Config{}, err
	}
	if c.QueueURL, err = queueURL(get, "RECORDINGS_QUEUE_URL", false); err != nil {
		return Config{}, err
	}
	c.TokenCacheKey = get("TOKEN_CACHE_KEY")
	if c.TokenCacheKey == "" {
		c.TokenCacheKey = DefaultTokenCacheKey
	}
	if p := keys.Prefix(); strings.HasPrefix(c.TokenCacheKey, "/") || p != "" && strings.HasPrefix(c.TokenCacheKey, p) {
		return Config{}, &Error{"TOKEN_CACHE_KEY", "must be a key outside the recordings' prefix " + strconv.Quote(p)}
	}
	return c, nil
}

// checkCredentials checks the single PBX's credentials variables, when
// the environment describes one (PBX_BASE_URL).
func (c Config) checkCredentials() error {
	switch {
	case c.CredentialsSecret != "" && (c.ClientID != "" || c.ClientSecret != ""):
		return &Error{"PBX_CREDENTIALS_SECRET", "is set together with PBX_CLIENT_ID/PBX_CLIENT_SECRET: use one or the other"}
	case !c.HasDefaultPBX(), c.CredentialsSecret != "":
	case c.ClientID == "":
		return &Error{"PBX_CLIENT_ID", "is required (or PBX_CREDENTIALS_SECRET)"}
	case c.ClientSecret == "":
		return &Error{"PBX_CLIENT_SECRET", "is required (or PBX_CREDENTIALS_SECRET)"}
	}
	return nil
}

// readPEM takes PEM text (on its lines, or flattened onto one: see
// reflowPEM), or the path of a PEM file.
func readPEM(v string) ([]byte, error) {
	if strings.HasPrefix(v, "-----BEGIN") {
		return []byte(reflowPEM(v)), nil
	}
	b, err := os.ReadFile(v) //nolint:gosec // the path is the operator's own configuration
	if err != nil {
		return nil, fmt.Errorf("is neither PEM text nor a readable PEM file: %w", err)
	}
	if !strings.Contains(string(b), "-----BEGIN CERTIFICATE-----") {
		return nil, fmt.Errorf("file %s holds no PEM certificate", v)
	}
	return b, nil
}

// checkScheme accepts an https PBX_BASE_URL, and an http one only when
// allowHTTP (PBX_ALLOW_HTTP) is true. Schemes compare case-insensitively, as
// URLs define them: HTTP:// is plain HTTP too.
func (c *Config) checkScheme(allowHTTP string) error {
	if allowHTTP != "" {
		allow, err := strconv.ParseBool(allowHTTP)
		if err != nil {
			return &Error{"PBX_ALLOW_HTTP", "must be true or false"}
		}
		c.PBXAllowHTTP = allow
	}
	if !c.HasDefaultPBX() {
		return nil
	}
	u, err := url.Parse(c.PBXBaseURL)
	if err != nil || u.Host == "" {
		return &Error{"PBX_BASE_URL", "must be an https://host[:port] URL"}
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if c.PBXAllowHTTP {
			return nil
		}
		return &Error{"PBX_BASE_URL", "uses plain http://, which would send the client secret and tokens unencrypted: use https://, or set PBX_ALLOW_HTTP=true for a PBX on a trusted network"}
	}
	return &Error{"PBX_BASE_URL", "must be an https://host[:port] URL"}
}

// InsecureScheme reports whether the PBX is reached over plain HTTP (allowed
// by PBX_ALLOW_HTTP), which main logs as a warning: tokens and recordings
// then cross the network unencrypted.
func (c Config) InsecureScheme() bool {
	if !c.HasDefaultPBX() {
		return false
	}
	u, err := url.Parse(c.PBXBaseURL)
	return err == nil && !strings.EqualFold(u.Scheme, "https")
}
