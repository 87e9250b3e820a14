package localenvtest

import (
	"net/http/httputil"
	"net/url"
	"testing"

	"github.com/recording-sync/recording-sync/internal/localenv"
)

// FaultProxy starts a fault proxy in front of s3 until the test ends.
func FaultProxy(t testing.TB, s3 *localenv.S3Server) *localenv.FaultProxy {
	t.Helper()
	proxy, err := localenv.NewFaultProxy(s3.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(proxy.Close)
	return proxy
}

// S3Proxy returns a reverse proxy to the S3 server at target, for a test
// that answers some requests itself and forwards the others.
func S3Proxy(t testing.TB, target string) *httputil.ReverseProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	// The client signs the proxy's Host header: keep it.
	return &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(u)
		r.Out.Host = r.In.Host
	}}
}
