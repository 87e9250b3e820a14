package yeastar_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/redact"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// checkNoSecrets fails t if err, printed any usual way, contains one of secrets.
func checkNoSecrets(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("got no error, want one")
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		s := fmt.Sprintf(verb, err)
		for _, secret := range secrets {
			if secret != "" && strings.Contains(s, secret) {
				t.Errorf("error printed with %s contains a secret: %s", verb, s)
			}
		}
	}
}

func TestAccessTokenErrorsHideSecret(t *testing.T) {
	tests := []struct {
		name string
		base func(t *testing.T) string
	}{
		{"closed port", closedURL},
		{"connection closed by the server", func(t *testing.T) string {
			srv := httptest.NewServer(http.HandlerFunc(hijackClose))
			t.Cleanup(srv.Close)
			return srv.URL
		}},
		{"HTTP 500", func(t *testing.T) string {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "boom", http.StatusInternalServerError)
			}))
			t.Cleanup(srv.Close)
			return srv.URL
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, tt.base(t), yeastar.Options{})
			_, err := c.AccessToken(t.Context())
			checkNoSecrets(t, err, testClientSecret)
		})
	}
}

// TestRequestErrorsHideTokens gets real tokens from the simulator, then
// makes every later request fail in transport, where Go's HTTP client quotes
// the whole URL, access_token included.
func TestRequestErrorsHideTokens(t *testing.T) {
	var (
		mu              sync.Mutex
		access, refresh string
		logins          atomic.Int64
	)
	var sim *yeastartest.Simulator
	hang := func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	sim, srv := wrappedSim(t, yeastartest.Options{}, map[string]http.HandlerFunc{
		apiPrefix + "get_token": func(w http.ResponseWriter, r *http.Request) {
			if logins.Add(1) > 1 {
				hijackClose(w, r)
				return
			}
			rec := httptest.NewRecorder()
			sim.ServeHTTP(rec, r)
			var body struct {
				Access  string `json:"access_token"`
				Refresh string `json:"refresh_token"`
			}
			_ = json.Unmarshal(rec.Body.Bytes(), &body) // an empty token fails the test below
			mu.Lock()
			access, refresh = body.Access, body.Refresh
			mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(rec.Body.Bytes())
		},
		apiPrefix + "refresh_token":               hijackClose,
		apiPrefix + "recording/download":          hijackClose,
		yeastartest.DownloadPrefix + "closed.wav": hijackClose,
		yeastartest.DownloadPrefix + "hang.wav":   hang,
	})
	clock := newFakeClock()
	c := newClient(t, srv.URL, yeastar.Options{Now: clock.Now})
	if _, err := c.AccessToken(t.Context()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	secrets := []string{testClientSecret, access, refresh}
	mu.Unlock()
	if access == "" || refresh == "" {
		t.Fatalf("no tokens captured: %q, %q", access, refresh)
	}

	t.Run("recording/download", func(t *testing.T) {
		_, err := c.RecordingDownloadLink(t.Context(), yeastar.RecordingQuery{ID: 1})
		checkNoSecrets(t, err, secrets...)
		if !strings.Contains(err.Error(), "access_token=REDACTED") {
			t.Errorf("error %q does not show the redacted URL", err)
		}
	})
	t.Run("download", func(t *testing.T) {
		_, err := c.Download(t.Context(), yeastartest.DownloadPrefix+"closed.wav", 10)
		checkNoSecrets(t, err, secrets...)
		if !strings.Contains(err.Error(), "access_token=REDACTED") {
			t.Errorf("error %q does not show the redacted URL", err)
		}
	})
	t.Run("download deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		_, err := c.Download(ctx, yeastartest.DownloadPrefix+"hang.wav", 0)
		checkNoSecrets(t, err, secrets...)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error %v does not wrap context.DeadlineExceeded", err)
		}
	})
	t.Run("renewal", func(t *testing.T) {
		// Past the token's life: refresh_token and get_token both fail.
		clock.Advance(time.Hour)
		_, err := c.AccessToken(t.Context())
		checkNoSecrets(t, err, secrets...)
		if n := logins.Load(); n != 2 {
			t.Errorf("get_token requests = %d, want 2 (the fallback after the refresh failed)", n)
		}
	})
	if st := sim.Stats(); st.TokensIssued != 1 {
		t.Errorf("tokens issued = %d, want 1", st.TokensIssued)
	}
}

// TestSecretsReported: the Auth reports the client secret and every token
// it obtains, the Client every token it uses, to Options.Secrets, which
// masks them from then on.
func TestSecretsReported(t *testing.T) {
	sim := newSim(t, yeastartest.Options{})
	red := redact.New()
	c := newClient(t, sim.URL(), yeastar.Options{Secrets: red})
	if _, err := c.AccessToken(t.Context()); err != nil {
		t.Fatal(err)
	}
	secrets := append(sim.IssuedTokens(), testClientSecret)
	if len(secrets) != 3 {
		t.Fatalf("%d secrets, want the client secret and one token pair", len(secrets))
	}
	for _, s := range secrets {
		if got := red.String("x " + s + " y"); got != "x REDACTED y" {
			t.Errorf("a secret was not reported: %q", got)
		}
	}
	// A token from elsewhere (a shared source) is reported when used.
	const shared = "shared-token-from-another-instance"
	used := redact.New()
	other, err := yeastar.New(sim.URL(), fixedToken(shared), &yeastar.Options{Secrets: used})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = other.RecordingDownloadLink(t.Context(), yeastar.RecordingQuery{ID: 1}) // 10004: unknown token
	if got := used.String(shared); got != redact.Mask {
		t.Errorf("the token the client used was not reported: %q", got)
	}
}

// fixedToken is a TokenSource handing out one token.
type fixedToken string

func (f fixedToken) AccessToken(context.Context) (string, error) { return string(f), nil }
func (fixedToken) InvalidateToken(string)                        {}
