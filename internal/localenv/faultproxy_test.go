package localenv

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// TestFaultProxyTLS: the proxy serves HTTPS with the generated certificate,
// which a client trusting only that certificate accepts; it passes requests
// on, reports each as it arrives, and fails the UploadPart it is told to.
func TestFaultProxyTLS(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	defer backend.Close()
	cert, err := NewCert(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewFaultProxyTLS(backend.URL, cert)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if !strings.HasPrefix(p.URL, "https://127.0.0.1:") {
		t.Fatalf("URL = %q, want https on loopback", p.URL)
	}
	seen := make(chan string, 4)
	p.Notify(seen)

	pem, err := os.ReadFile(cert.CertFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}}
	put := func(query string) int {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, p.URL+"/b/k"+query, strings.NewReader("part"))
		if err != nil {
			t.Fatal(err)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("PUT %s: %v", query, err)
		}
		_ = res.Body.Close()
		return res.StatusCode
	}

	p.FailUploadPart("2")
	if got := put("?uploadId=u&partNumber=1"); got != http.StatusNoContent {
		t.Errorf("part 1: status %d, want the backend's 204", got)
	}
	if got := put("?uploadId=u&partNumber=2"); got != http.StatusInternalServerError {
		t.Errorf("part 2: status %d, want the injected 500", got)
	}
	if p.Failed() != 1 {
		t.Errorf("Failed() = %d, want 1", p.Failed())
	}
	for _, want := range []string{"PUT /b/k?uploadId", "PUT /b/k?uploadId"} {
		if got := <-seen; got != want {
			t.Errorf("notified %q, want %q", got, want)
		}
	}

	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, p.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := http.DefaultClient.Do(req); err == nil {
		_ = res.Body.Close()
		t.Error("a client without the certificate was accepted")
	}
}
