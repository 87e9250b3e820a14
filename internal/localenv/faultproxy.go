package localenv

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"

	"github.com/recording-sync/recording-sync/internal/fault"
)

// FaultProxy is a loopback reverse proxy in front of the S3 server that can
// fail chosen requests the way S3 does (HTTP 500 with an XML error), to
// prove that a failure in the middle of an upload leaves nothing behind.
type FaultProxy struct {
	URL string // point the S3 client's endpoint here

	srv      *httptest.Server
	parts    fault.List[struct{}] // the UploadPart part numbers to fail
	mu       sync.Mutex
	requests []string      // "METHOD key" of every request, in order
	notify   chan<- string // also gets each, if set and ready (Notify)
	conns    atomic.Int64  // connections accepted
}

// NewFaultProxy proxies to the S3 server at target (its Endpoint).
func NewFaultProxy(target string) (*FaultProxy, error) {
	return newFaultProxy(target, nil)
}

// NewFaultProxyTLS is NewFaultProxy serving HTTPS with cert, as S3 itself
// does: clients then pay for TLS and send payloads unsigned, with trailing
// checksums, as they do against AWS. It still speaks plain HTTP to target.
func NewFaultProxyTLS(target string, cert *CertFiles) (*FaultProxy, error) {
	pair, err := tls.LoadX509KeyPair(cert.CertFile, cert.KeyFile)
	if err != nil {
		return nil, err
	}
	return newFaultProxy(target, &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12})
}

func newFaultProxy(target string, tlsConfig *tls.Config) (*FaultProxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	p := &FaultProxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	p.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.record(r)
		if p.shouldFail(r) {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>injected by the test proxy</Message></Error>`))
			return
		}
		rp.ServeHTTP(w, r)
	}))
	p.srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			p.conns.Add(1)
		}
	}
	if tlsConfig == nil {
		p.srv.Start()
	} else {
		p.srv.TLS = tlsConfig
		p.srv.StartTLS()
	}
	p.URL = p.srv.URL
	return p, nil
}

// Connections is how many connections the proxy accepted: over HTTPS, each
// a TLS handshake its client paid for.
func (p *FaultProxy) Connections() int64 { return p.conns.Load() }

// FailUploadPart makes every UploadPart request for part number n fail
// (all its retries too); n = "" turns it off.
func (p *FaultProxy) FailUploadPart(n string) {
	p.parts.Disarm()
	if n != "" {
		p.parts.Arm(n, fault.Every, struct{}{})
	}
}

// Failed returns how many requests the proxy has failed.
func (p *FaultProxy) Failed() int { return p.parts.Total() }

// shouldFail reports whether r is an UploadPart of a part to fail.
func (p *FaultProxy) shouldFail(r *http.Request) bool {
	q := r.URL.Query()
	if r.Method != http.MethodPut || !q.Has("uploadId") || !q.Has("partNumber") {
		return false
	}
	_, fail := p.parts.Take(q.Get("partNumber"))
	return fail
}

// record notes a request as "METHOD /bucket/key?subresource".
func (p *FaultProxy) record(r *http.Request) {
	what := r.Method + " " + r.URL.Path
	q := r.URL.Query()
	for _, sub := range []string{"uploads", "uploadId", "partNumber"} {
		if q.Has(sub) {
			what += "?" + sub
			break
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests = append(p.requests, what)
	select {
	case p.notify <- what:
	default: // a nil or full channel: the list keeps it
	}
}

// Notify sends each request's "METHOD key" to ch as it arrives, before its
// body is read, while ch has room (a full channel misses it; the list
// keeps it): a test can wait on a request under way.
func (p *FaultProxy) Notify(ch chan<- string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.notify = ch
}

// Requests returns every request seen so far and forgets them.
func (p *FaultProxy) Requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.requests
	p.requests = nil
	return out
}

// Close stops the proxy.
func (p *FaultProxy) Close() { p.srv.Close() }
