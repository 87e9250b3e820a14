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
	"time"
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

// Options hold the optional settings of a Client. The zero value is usable.
type Options struct {
	APIPath       string        // default "openapi/v1.0"
	UserAgent     string        // default DefaultUserAgent
	HTTPClient    *http.Client  // default NewHTTPClient()
	RefreshMargin time.Duration // renew a token this long before it expires; default 60s
	Now           func() time.Time
	// OnSecret, when set, is told every token the client obtains or uses,
	// so that a redactor can mask it wherever it might surface.
	OnSecret func(secret string)
}

// Client talks to one PBX. It is safe for concurrent use; all goroutines
// share one access token.
type Client struct {
	base      *url.URL
	apiPath   string
	userAgent string
	http      *http.Client
	creds     Credentials
	margin    time.Duration
	now       func() time.Time
	tokens    TokenSource
	onSecret  func(string)
}

// New returns a Client for the PBX at baseURL, e.g. "https://pbx.example.com:8088".
func New(baseURL string, creds Credentials, opts *Options) (*Client, error) {
	base, err := parseBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	if creds.ClientID == "" || creds.ClientSecret == "" {
		return nil, errors.New("yeastar: client id and client secret are required")
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	c := &Client{
		base:      base,
		apiPath:   strings.Trim(o.APIPath, "/"),
		userAgent: o.UserAgent,
		http:      o.HTTPClient,
		creds:     creds,
		margin:    o.RefreshMargin,
		now:       o.Now,
		onSecret:  o.OnSecret,
	}
	if c.apiPath == "" {
		c.apiPath = "openapi/v1.0"
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	if c.http == nil {
		c.http = NewHTTPClient()
	}
	// A copy, so the caller's client keeps its own redirect policy.
	hc := *c.http
	hc.CheckRedirect = c.checkRedirect
	c.http = &hc
	if c.margin <= 0 {
		c.margin = time.Minute
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.onSecret == nil {
		c.onSecret = func(string) {}
	}
	c.tokens = &memoryTokens{c: c}
	return c, nil
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
		return nil, fmt.Errorf("yeastar: base URL %q: want http(s)://host[:port]", sanitizeURL(raw))
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("yeastar: base URL: must not carry credentials, a query or a fragment")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// apiURL builds {base}/{apiPath}/{endpoint}?{query}.
func (c *Client) apiURL(endpoint string, query url.Values) string {
	u := *c.base
	u.Path = u.Path + "/" + c.apiPath + "/" + endpoint
	u.RawQuery = query.Encode()
	return u.String()
}

// call sends one API request and decodes the JSON answer into out, which
// must embed apiResponse fields errcode/errmsg. body, when not nil, is sent
// as JSON with POST.
func (c *Client) call(ctx context.Context, op string, query url.Values, body, out any) error {
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
		return fmt.Errorf("yeastar %s: %w", op, sanitizeError(err))
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
		return fmt.Errorf("yeastar %s: read response: %w", op, sanitizeError(err))
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
func (c *Client) do(req *http.Request) (*http.Response, error) {
	req.Header.Set("User-Agent", c.userAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, sanitizeError(err)
	}
	return resp, nil
}
