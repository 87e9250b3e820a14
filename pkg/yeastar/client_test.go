package yeastar_test

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

func TestNewRejects(t *testing.T) {
	good := yeastar.Credentials{ClientID: testClientID, ClientSecret: testClientSecret}
	tests := []struct {
		name  string
		base  string
		creds yeastar.Credentials
	}{
		{"empty URL", "", good},
		{"no scheme", "pbx.example.com", good},
		{"host and port without scheme", "pbx.example.com:8088", good},
		{"ftp scheme", "ftp://pbx.example.com", good},
		{"no host", "https://", good},
		{"userinfo with password", "https://admin:hunter2@pbx.example.com:8088", good},
		{"userinfo without password", "https://admin@pbx.example.com", good},
		{"ftp with userinfo", "ftp://admin:hunter2@pbx.example.com", good},
		{"unparsable with userinfo", "http://admin:hunter2@pbx.example.com:port/", good},
		{"query", "https://pbx.example.com/?tenant=1", good},
		{"fragment", "https://pbx.example.com/#x", good},
		{"missing client id", "https://pbx.example.com", yeastar.Credentials{ClientSecret: testClientSecret}},
		{"missing client secret", "https://pbx.example.com", yeastar.Credentials{ClientID: testClientID}},
		{"missing both", "https://pbx.example.com", yeastar.Credentials{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := yeastar.NewStandalone(tt.base, tt.creds, nil)
			if err == nil {
				t.Fatalf("New(%q) = %v, want an error", tt.base, c)
			}
			if c != nil {
				t.Errorf("New(%q) returned a client with its error", tt.base)
			}
			// A base URL is configuration that ends up in logs: its
			// password must not be echoed, nor the client secret.
			for _, secret := range []string{"hunter2", testClientSecret} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q contains the secret %q", err, secret)
				}
			}
		})
	}
}

func TestNewBaseURLWithPathPrefix(t *testing.T) {
	sim := newSim(t, yeastartest.Options{})
	// The PBX behind a reverse proxy under /pbx: the client must put the
	// prefix in front of both the API path and the download path.
	target, err := url.Parse(sim.URL())
	if err != nil {
		t.Fatal(err)
	}
	front := httptest.NewServer(http.StripPrefix("/pbx", httputil.NewSingleHostReverseProxy(target)))
	t.Cleanup(front.Close)
	for _, base := range []string{front.URL + "/pbx", front.URL + "/pbx/"} {
		t.Run(base, func(t *testing.T) {
			c := newClient(t, base, yeastar.Options{})
			rec := yeastartest.Recording{ID: 3, File: "20240101120000-1.1-2001-2002-Internal.wav", Size: 70_000}
			d, err := c.Download(t.Context(), linkFor(t, c, sim, rec).ResourceURL, 0)
			if err != nil {
				t.Fatalf("Download: %v", err)
			}
			defer d.Body.Close()
			n, sum, err := readSum(d.Body)
			if err != nil || n != rec.Size || sum != contentSum(t, rec.File, rec.Size, 0) {
				t.Errorf("body: %d bytes, err %v, content match %v; want %d bytes of the recording", n, err, sum == contentSum(t, rec.File, rec.Size, 0), rec.Size)
			}
		})
	}
}

func TestNewKeepsCallerRedirectPolicy(t *testing.T) {
	hc := &http.Client{}
	if _, err := yeastar.NewStandalone("https://pbx.example.com", yeastar.Credentials{ClientID: "id", ClientSecret: "secret"}, &yeastar.Options{HTTPClient: hc}); err != nil {
		t.Fatal(err)
	}
	if hc.CheckRedirect != nil {
		t.Error("New changed the caller's http.Client.CheckRedirect")
	}
}

func TestUserAgentOnEveryRequest(t *testing.T) {
	tests := []struct {
		name, set, want string
	}{
		{"default", "", yeastar.DefaultUserAgent},
		{"custom", testUserAgent, testUserAgent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := newSim(t, yeastartest.Options{})
			c, err := yeastar.NewStandalone(sim.URL(), yeastar.Credentials{ClientID: testClientID, ClientSecret: testClientSecret}, &yeastar.Options{UserAgent: tt.set})
			if err != nil {
				t.Fatal(err)
			}
			rec := yeastartest.Recording{ID: 1, File: "ua.wav", Size: 1000}
			d, err := c.Download(t.Context(), linkFor(t, c, sim, rec).ResourceURL, 0)
			if err != nil {
				t.Fatalf("Download: %v", err)
			}
			d.Body.Close()
			// get_token, recording/download and the download itself.
			want := map[string]int{tt.want: 3}
			if got := sim.Stats().UserAgents; !maps.Equal(got, want) {
				t.Errorf("User-Agents seen = %v, want %v", got, want)
			}
		})
	}
}

func TestNewNeedsATokenSource(t *testing.T) {
	if c, err := yeastar.New("https://pbx.example.com", nil, nil); err == nil {
		t.Fatalf("New without a token source = %v, want an error", c)
	}
}
