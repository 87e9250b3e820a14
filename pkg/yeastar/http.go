package yeastar

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// NewHTTPClient returns the HTTP client used for the PBX when none is given:
// bounded connect, TLS handshake and response-header waits, but no overall
// request timeout, which would cut a long recording mid-stream (the caller's
// context bounds the whole copy instead).
func NewHTTPClient() *http.Client {
	return &http.Client{Transport: newTransport(nil)}
}

// NewHTTPClientWithCA is NewHTTPClient trusting, besides the system's
// certificate authorities, those in caPEM: on-premises PBXs often use a
// private CA. Certificate verification is never turned off.
func NewHTTPClientWithCA(caPEM []byte) (*http.Client, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("yeastar: the CA certificate is not valid PEM")
	}
	return &http.Client{Transport: newTransport(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})}, nil
}

// newTransport returns the PBX transport with tlsConfig (nil: Go's defaults).
func newTransport(tlsConfig *tls.Config) *http.Transport {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		TLSClientConfig:       tlsConfig,
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   4,
		ForceAttemptHTTP2:     true,
		// Fewer, larger reads of the recording stream (default 4 KiB).
		ReadBufferSize: 64 << 10,
	}
}

// errRedirect is returned for a redirect the client refuses to follow.
var errRedirect = fmt.Errorf("redirect refused: %w", ErrForeignURL)

// checkRedirect follows redirects only within the PBX's own origin, so the
// access token in the query is never sent to another host.
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("stopped after 5 redirects")
	}
	if !sameOrigin(req.URL, c.base) {
		return errRedirect
	}
	return nil
}

// sameOrigin reports whether a and b share scheme, host and port.
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Host, b.Host)
}

// secretParams are query parameters whose values never leave this package.
var secretParams = []string{"access_token", "refresh_token", "password"}

// secretParam matches a secret parameter anywhere in a URL, in any case.
var secretParam = regexp.MustCompile(`(?i)((?:access_token|refresh_token|password)=)[^&#;\s"'<>@/]+`)

// sanitizeURL returns raw with the values of secret query parameters
// replaced by REDACTED (an unparsable URL or query loses its whole query),
// then masks any secret parameter left elsewhere: in the fragment, the user
// name, nested in another value, in another case.
func sanitizeURL(raw string) string {
	return secretParam.ReplaceAllString(sanitizeQuery(raw), "${1}REDACTED")
}

// sanitizeQuery masks the secret parameters of the query as Go parses it
// (percent-encoded names included).
func sanitizeQuery(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.IndexByte(raw, '?'); i >= 0 {
			return raw[:i] + "?REDACTED"
		}
		return raw
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		// u.Query() would silently skip the pairs it cannot parse (e.g.
		// "a=1;access_token=..."), leaving their secrets in place.
		u.RawQuery = "REDACTED"
		return u.Redacted()
	}
	changed := false
	for _, p := range secretParams {
		if q.Has(p) {
			q.Set(p, "REDACTED")
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// sanitizeError rewrites the URL inside a *url.Error (Go's HTTP client
// prints the whole request URL, query included) and keeps everything else,
// so errors.Is still finds context.DeadlineExceeded and friends.
func sanitizeError(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return &url.Error{Op: uerr.Op, URL: sanitizeURL(uerr.URL), Err: uerr.Err}
	}
	return err
}
