package yeastar

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/recording-sync/recording-sync/pkg/redact"
)

// DefaultUserAgent is sent on every request: the PBX rejects requests without one.
const DefaultUserAgent = "recording-sync/1"

// maxJSONBody bounds every JSON body read from the PBX.
const maxJSONBody = 1 << 20

// Credentials identify the API application created in the PBX portal.
type Credentials struct {
	ClientID     string
	ClientSecret string
}

// Options hold the optional settings of an Auth and a Client; give both
// the same, so that they share the HTTP settings. The zero value is usable.
type Options struct {
	APIPath    string       // default "openapi/v1.0"
	UserAgent  string       // default DefaultUserAgent
	HTTPClient *http.Client // default NewHTTPClient()
	// RefreshMargin: MemoryTokens renews a token this long before it
	// expires; default 60s.
	RefreshMargin time.Duration
	// Now is the clock of token issue times and of MemoryTokens.
	Now func() time.Time
	// Secrets, when set, is told every token an Auth obtains and every
	// token a Client uses, so that it can mask them wherever they surface
	// (a *redact.Redactor).
	Secrets Secrets
}

// Secrets registers secret values; *redact.Redactor is one.
type Secrets interface {
	Add(secret string)
}

// endpoint is what Auth and Client share: one PBX, its API path, the
// User-Agent, the HTTP client and where secrets are reported.
type endpoint struct {
	base      *url.URL
	apiPath   string
	userAgent string
	http      *http.Client
	margin    time.Duration
	now       func() time.Time
	secrets   Secrets
}

// newEndpoint returns the endpoint of the PBX at baseURL.
func newEndpoint(baseURL string, opts *Options) (*endpoint, error) {
	base, err := parseBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	e := &endpoint{
		base:      base,
		apiPath:   strings.Trim(o.APIPath, "/"),
		userAgent: o.UserAgent,
		http:      o.HTTPClient,
		margin:    o.RefreshMargin,
		now:       o.Now,
		secrets:   o.Secrets,
	}
	if e.apiPath == "" {
		e.apiPath = "openapi/v1.0"
	}
	if e.userAgent == "" {
		e.userAgent = DefaultUserAgent
	}
	if e.http == nil {
		e.http = NewHTTPClient()
	}
	// A copy, so the caller's client keeps its own redirect policy.
	hc := *e.http
	hc.CheckRedirect = e.checkRedirect
	e.http = &hc
	if e.margin <= 0 {
		e.margin = time.Minute
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.secrets == nil {
		e.secrets = noSecrets{}
	}
	return e, nil
}

type noSecrets struct{}

func (noSecrets) Add(string) {}

// Client calls the PBX with access tokens from a TokenSource; it never
// logs in by itself. It is safe for concurrent use.
type Client struct {
	*endpoint
	tokens TokenSource
}

// New returns a Client for the PBX at baseURL, e.g.
// "https://pbx.example.com:8088", taking its tokens from tokens: a
// MemoryTokens for a process alone on the PBX, a shared source
// (tokencache) for many instances.
func New(baseURL string, tokens TokenSource, opts *Options) (*Client, error) {
	if tokens == nil {
		return nil, errors.New("yeastar: a token source is required")
	}
	e, err := newEndpoint(baseURL, opts)
	if err != nil {
		return nil, err
	}
	return &Client{endpoint: e, tokens: tokens}, nil
}

// Auth is the login part of the API: get_token, refresh_token and
// del_token with the API application's credentials. Token sources renew
// with it; nothing else should hold the credentials.
type Auth struct {
	*endpoint
	creds    Credentials
	obtained atomic.Int64 // tokens obtained: successful get_token and refresh_token
}

// TokensObtained is how many tokens a has obtained since it was made
// (successful get_token and refresh_token calls), for the copy function's
// TokenRenewals metric. It is safe for concurrent use.
func (a *Auth) TokensObtained() int64 { return a.obtained.Load() }

// NewAuth returns an Auth for the PBX at baseURL.
func NewAuth(baseURL string, creds Credentials, opts *Options) (*Auth, error) {
	if creds.ClientID == "" || creds.ClientSecret == "" {
		return nil, errors.New("yeastar: client id and client secret are required")
	}
	e, err := newEndpoint(baseURL, opts)
	if err != nil {
		return nil, err
	}
	e.secrets.Add(creds.ClientSecret)
	return &Auth{endpoint: e, creds: creds}, nil
}

// parseBaseURL accepts an absolute http(s) URL without query, fragment or
// userinfo; a trailing slash is dropped.
func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// Not err itself: a *url.Error quotes the whole URL, password included.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, fmt.Errorf("yeastar: base URL: %w", err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("yeastar: base URL %q: want http(s)://host[:port]", redact.URL(raw))
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("yeastar: base URL: must not carry credentials, a query or a fragment")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// apiURL builds {base}/{apiPath}/{endpoint}?{query}.
func (c *endpoint) apiURL(endpoint string, query url.Values) string {
	u := *c.base
	u.Path = u.Path + "/" + c.apiPath + "/" + endpoint
	u.RawQuery = query.Encode()
	return u.String()
}

// call sends one API request and decodes the JSON answer into out, which
// must embed apiResponse fields errcode/errmsg. body, when not nil, is sent
// as JSON with POST.
func (c *endpoint) call(ctx context.Context, op string, query url.Values, body, out any) error {
	method := http.MethodGet
	var reqBody io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("yeastar %s: encode request: %w", op, err)
		}
		method = http.MethodPost
		reqBody = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.apiURL(op, query), reqBody)
	if err != nil {
		return fmt.Errorf("yeastar %s: %w", op, redact.Error(err))
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.do(req)
	if err != nil {
		return fmt.Errorf("yeastar %s: %w", op, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &HTTPError{Op: op, StatusCode: resp.StatusCode}
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxJSONBody+1))
	if err != nil {
		return fmt.Errorf("yeastar %s: read response: %w", op, redact.Error(err))
	}
	if len(raw) > maxJSONBody {
		return &ContentError{Op: op, ContentType: resp.Header.Get("Content-Type"), Reason: "response larger than 1 MiB"}
	}
	return decodeAPIResponse(op, raw, out)
}

// decodeAPIResponse checks errcode, then decodes raw into out.
func decodeAPIResponse(op string, raw []byte, out any) error {
	var env struct {
		ErrCode *int   `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := json.Unmarshal(raw, &env); err != nil || env.ErrCode == nil {
		return &ContentError{Op: op, ContentType: "application/json", Reason: "response is not a PBX JSON answer"}
	}
	if *env.ErrCode != 0 {
		return &APIError{Op: op, Code: *env.ErrCode, Message: env.ErrMsg}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return &ContentError{Op: op, ContentType: "application/json", Reason: "malformed response: " + err.Error()}
	}
	return nil
}

// do sends req with the User-Agent set. A transport error is returned with
// its URL sanitized; when ctx is done, ctx.Err() is wrapped too, it says more.
func (c *endpoint) do(req *http.Request) (*http.Response, error) {
	req.Header.Set("User-Agent", c.userAgent)
	resp, err := c.http.Do(req) //nolint:gosec // G704: URLs are built on the configured PBX; download URLs are checked against its host first
	if err != nil {
		return nil, redact.Error(err)
	}
	return resp, nil
}
