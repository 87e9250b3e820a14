package yeastar_test

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// TestPrivateCA: a PBX whose certificate comes from a private CA is trusted
// only with that CA given, never by turning verification off.
func TestPrivateCA(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"errcode":0,"errmsg":"SUCCESS","access_token":"abcdefgh12345678","access_token_expire_time":1800,"refresh_token":"r","refresh_token_expire_time":86400}`))
	}))
	defer srv.Close()
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})

	withCA, err := yeastar.NewHTTPClientWithCA(caPEM)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		client  *http.Client
		wantErr bool
	}{
		{"system pool only", yeastar.NewHTTPClient(), true},
		{"with the PBX's CA", withCA, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := yeastar.NewStandalone(srv.URL, yeastar.Credentials{ClientID: "id", ClientSecret: "secret-value"}, &yeastar.Options{HTTPClient: tc.client})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.AccessToken(t.Context())
			var unknownCA x509.UnknownAuthorityError
			if tc.wantErr != (err != nil) || tc.wantErr && !errors.As(err, &unknownCA) {
				t.Fatalf("AccessToken error = %v, want unknown-authority error: %v", err, tc.wantErr)
			}
		})
	}
	if _, err := yeastar.NewHTTPClientWithCA([]byte("not a certificate")); err == nil {
		t.Error("NewHTTPClientWithCA accepted text that is not PEM")
	}
}
