package yeastar

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
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
func (c *endpoint) checkRedirect(req *http.Request, via []*http.Request) error {
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
