package yeastar_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

func TestGetTokenRequest(t *testing.T) {
	type seen struct {
		method, contentType, userAgent string
		body                           map[string]any
	}
	var (
		mu   sync.Mutex
		reqs []seen
	)
	var sim *yeastartest.Simulator
	sim, srv := wrappedSim(t, yeastartest.Options{}, map[string]http.HandlerFunc{
		apiPrefix + "get_token": func(w http.ResponseWriter, r *http.Request) {
			raw, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			s := seen{method: r.Method, contentType: r.Header.Get("Content-Type"), userAgent: r.UserAgent()}
			if err := json.Unmarshal(raw, &s.body); err != nil {
				s.body = map[string]any{"undecodable": string(raw)}
			}
			mu.Lock()
			reqs = append(reqs, s)
			mu.Unlock()
			r.Body = io.NopCloser(bytes.NewReader(raw))
			sim.ServeHTTP(w, r)
		},
	})
	c := newClient(t, srv.URL, yeastar.Options{})
	tok, err := c.AccessToken(t.Context())
	if err != nil {
		t.Fatalf("AccessToken: %v", err)
	}
	if tok == "" {
		t.Fatal("AccessToken returned an empty token")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reqs) != 1 {
		t.Fatalf("get_token requests = %d, want 1", len(reqs))
	}
	got := reqs[0]
	if got.method != http.MethodPost || got.contentType != "application/json" || got.userAgent != testUserAgent {
		t.Errorf("get_token sent %s, Content-Type %q, User-Agent %q; want POST, application/json, %q",
			got.method, got.contentType, got.userAgent, testUserAgent)
	}
	want := map[string]any{"username": testClientID, "password": testClientSecret}
	if !maps.Equal(got.body, want) {
		t.Errorf("get_token body = %v, want %v", got.body, want)
	}
}

func TestGetTokenBadCredentials(t *testing.T) {
	sim := newSim(t, yeastartest.Options{})
	c, err := yeastar.NewStandalone(sim.URL(), yeastar.Credentials{ClientID: testClientID, ClientSecret: "wrong"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.AccessToken(t.Context())
	if code, ok := yeastar.ErrorCode(err); !ok || code != yeastar.CodeFailure {
		t.Fatalf("AccessToken error = %v, want errcode %d", err, yeastar.CodeFailure)
	}
	// A bad login must not be retried: five of them block the IP.
	if st := sim.Stats(); st.GetTokenCalls != 1 {
		t.Errorf("get_token calls = %d, want 1", st.GetTokenCalls)
	}
}

func TestAccessTokenReused(t *testing.T) {
	const calls = 20
	tests := []struct {
		name       string
		concurrent bool
	}{
		{"sequential", false},
		{"concurrent", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := newSim(t, yeastartest.Options{})
			c := newClient(t, sim.URL(), yeastar.Options{})
			tokens := make([]string, calls)
			errs := make([]error, calls)
			var wg sync.WaitGroup
			for i := range calls {
				get := func() { tokens[i], errs[i] = c.AccessToken(t.Context()) }
				if tt.concurrent {
					wg.Go(get)
				} else {
					get()
				}
			}
			wg.Wait()
			for i := range calls {
				if errs[i] != nil || tokens[i] == "" || tokens[i] != tokens[0] {
					t.Errorf("call %d: token %q, err %v; want %q", i, tokens[i], errs[i], tokens[0])
				}
			}
			st := sim.Stats()
			if st.TokensIssued != 1 || st.GetTokenCalls != 1 || st.Refreshes != 0 {
				t.Errorf("tokens issued %d, get_token calls %d, refreshes %d; want 1, 1, 0",
					st.TokensIssued, st.GetTokenCalls, st.Refreshes)
			}
			if want := map[string]int{testUserAgent: 1}; !maps.Equal(st.UserAgents, want) {
				t.Errorf("User-Agents = %v, want %v", st.UserAgents, want)
			}
		})
	}
}

func TestAccessTokenRenewal(t *testing.T) {
	// The simulator's tokens live 2s on the same fake clock as the client's:
	// only Advance moves time, so no case depends on how fast the machine
	// runs it.
	const lifetime = 2 * time.Second
	tests := []struct {
		name    string
		margin  time.Duration
		advance time.Duration
		fault   func(*yeastartest.Simulator)
		renewed bool
		// want counters after the second AccessToken
		refreshCalls, refreshes, issued int
	}{
		{name: "before the margin keeps the token", margin: 200 * time.Millisecond, advance: 1700 * time.Millisecond,
			renewed: false, refreshCalls: 0, refreshes: 0, issued: 1},
		{name: "within the margin refreshes", margin: 200 * time.Millisecond, advance: 1850 * time.Millisecond,
			renewed: true, refreshCalls: 1, refreshes: 1, issued: 1},
		{name: "short-lived token refreshes after three quarters", margin: time.Second, advance: 1600 * time.Millisecond,
			renewed: true, refreshCalls: 1, refreshes: 1, issued: 1},
		{name: "short-lived token kept before three quarters", margin: time.Second, advance: 1400 * time.Millisecond,
			renewed: false, refreshCalls: 0, refreshes: 0, issued: 1},
		{name: "expired token refreshes", margin: 200 * time.Millisecond, advance: 3 * time.Second,
			renewed: true, refreshCalls: 1, refreshes: 1, issued: 1},
		{name: "revoked refresh token falls back to get_token", margin: 200 * time.Millisecond, advance: 1900 * time.Millisecond,
			fault: (*yeastartest.Simulator).RevokeAll, renewed: true, refreshCalls: 1, refreshes: 0, issued: 2},
		{name: "refused refresh falls back to get_token", margin: 200 * time.Millisecond, advance: 1900 * time.Millisecond,
			fault:   func(s *yeastartest.Simulator) { s.FailAPI("refresh_token", yeastartest.ErrCodeTokenExpired, 1) },
			renewed: true, refreshCalls: 1, refreshes: 0, issued: 2},
		{name: "refresh failing with another code falls back to get_token", margin: 200 * time.Millisecond, advance: 1900 * time.Millisecond,
			fault:   func(s *yeastartest.Simulator) { s.FailAPI("refresh_token", yeastartest.ErrCodeInternal, 1) },
			renewed: true, refreshCalls: 1, refreshes: 0, issued: 2},
		{name: "expired refresh token goes straight to get_token", margin: 200 * time.Millisecond, advance: 25 * time.Hour,
			renewed: true, refreshCalls: 0, refreshes: 0, issued: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			sim := newSim(t, yeastartest.Options{AccessTokenLifetime: lifetime, Now: clock.Now})
			c := newClient(t, sim.URL(), yeastar.Options{RefreshMargin: tt.margin, Now: clock.Now})
			first, err := c.AccessToken(t.Context())
			if err != nil {
				t.Fatalf("first AccessToken: %v", err)
			}
			if tt.fault != nil {
				tt.fault(sim)
			}
			clock.Advance(tt.advance)
			second, err := c.AccessToken(t.Context())
			if err != nil {
				t.Fatalf("AccessToken after %v: %v", tt.advance, err)
			}
			if renewed := second != first; renewed != tt.renewed {
				t.Errorf("token renewed = %v, want %v", renewed, tt.renewed)
			}
			st := sim.Stats()
			if (tt.fault != nil) != (st.Faults.Total() == 1) {
				t.Errorf("faults fired: %+v, want one exactly when a fault is armed", st.Faults)
			}
			if st.APIRequests["refresh_token"] != tt.refreshCalls || st.Refreshes != tt.refreshes || st.TokensIssued != tt.issued {
				t.Errorf("refresh_token calls %d, refreshes %d, tokens issued %d; want %d, %d, %d",
					st.APIRequests["refresh_token"], st.Refreshes, st.TokensIssued, tt.refreshCalls, tt.refreshes, tt.issued)
			}
			// The renewed token is cached again and works.
			third, err := c.AccessToken(t.Context())
			if err != nil || third != second {
				t.Errorf("AccessToken after renewal = %q, %v; want the cached %q", third, err, second)
			}
			sim.AddRecording(yeastartest.Recording{ID: 1, File: "a.wav", Size: 10})
			if _, err := c.RecordingDownloadLink(t.Context(), yeastar.RecordingQuery{ID: 1}); err != nil {
				t.Errorf("RecordingDownloadLink with the renewed token: %v", err)
			}
			if st := sim.Stats(); st.InvalidTokenRequests > tt.refreshCalls-tt.refreshes {
				t.Errorf("%d requests carried an invalid token", st.InvalidTokenRequests)
			}
		})
	}
}

func TestInvalidateToken(t *testing.T) {
	tests := []struct {
		name       string
		invalidate func(current string) string
		renewed    bool
	}{
		{"current token", func(cur string) string { return cur }, true},
		{"an older token", func(string) string { return "some-older-token" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := newSim(t, yeastartest.Options{})
			c := newClient(t, sim.URL(), yeastar.Options{})
			first, err := c.AccessToken(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			c.InvalidateToken(tt.invalidate(first))
			second, err := c.AccessToken(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if renewed := second != first; renewed != tt.renewed {
				t.Errorf("renewed = %v, want %v", renewed, tt.renewed)
			}
			want := 0
			if tt.renewed {
				want = 1
			}
			if st := sim.Stats(); st.Refreshes != want || st.TokensIssued != 1 {
				t.Errorf("refreshes %d, tokens issued %d; want %d, 1", st.Refreshes, st.TokensIssued, want)
			}
		})
	}
}

func TestAccessTokenContextCanceled(t *testing.T) {
	sim := newSim(t, yeastartest.Options{})
	c := newClient(t, sim.URL(), yeastar.Options{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := c.AccessToken(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("AccessToken with a canceled context = %v, want context.Canceled", err)
	}
	if st := sim.Stats(); st.GetTokenCalls != 0 {
		t.Errorf("get_token calls = %d, want 0", st.GetTokenCalls)
	}
}

// TestAccessTokenWaitHonoursContext: a caller waiting for another's login
// gives up when its own context ends, while the login goes on.
func TestAccessTokenWaitHonoursContext(t *testing.T) {
	arrived, release := make(chan struct{}), make(chan struct{})
	var sim *yeastartest.Simulator
	sim, srv := wrappedSim(t, yeastartest.Options{}, map[string]http.HandlerFunc{
		apiPrefix + "get_token": func(w http.ResponseWriter, r *http.Request) {
			close(arrived)
			<-release
			sim.ServeHTTP(w, r)
		},
	})
	c := newClient(t, srv.URL, yeastar.Options{})
	first := make(chan error, 1)
	go func() {
		_, err := c.AccessToken(t.Context())
		first <- err
	}()
	<-arrived // the first caller is logging in
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := c.AccessToken(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("waiting caller = %v, want context.Canceled", err)
	}
	close(release)
	if err := <-first; err != nil {
		t.Errorf("the login: %v", err)
	}
	if st := sim.Stats(); st.GetTokenCalls != 1 {
		t.Errorf("get_token calls = %d, want 1", st.GetTokenCalls)
	}
}

// TokensObtained counts the successful get_token and refresh_token calls of
// one Auth, concurrent ones included, and no failed one.
func TestAuthTokensObtained(t *testing.T) {
	sim := newSim(t, yeastartest.Options{})
	creds := yeastar.Credentials{ClientID: testClientID, ClientSecret: testClientSecret}
	auth, err := yeastar.NewAuth(sim.URL(), creds, nil)
	if err != nil {
		t.Fatal(err)
	}
	check := func(step string, want int64) {
		t.Helper()
		if got := auth.TokensObtained(); got != want {
			t.Errorf("after %s: TokensObtained = %d, want %d", step, got, want)
		}
	}
	check("nothing", 0)
	tok, err := auth.GetToken(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	check("get_token", 1)
	if _, err := auth.RefreshToken(t.Context(), tok.Refresh); err != nil {
		t.Fatal(err)
	}
	check("refresh_token", 2)
	if _, err := auth.RefreshToken(t.Context(), "not-a-refresh-token"); err == nil {
		t.Fatal("refresh_token with an unknown refresh token succeeded")
	}
	sim.FailAPI("get_token", yeastartest.ErrCodeInternal, 1)
	if _, err := auth.GetToken(t.Context()); err == nil {
		t.Fatal("get_token succeeded despite the fault")
	}
	if n := sim.Stats().Faults.API; n != 1 {
		t.Fatalf("%d API faults fired, want 1", n)
	}
	check("two failures", 2)
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			if _, err := auth.GetToken(t.Context()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	check("five concurrent get_token", 7)

	bad, err := yeastar.NewAuth(sim.URL(), yeastar.Credentials{ClientID: testClientID, ClientSecret: "wrong"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bad.GetToken(t.Context()); err == nil || bad.TokensObtained() != 0 {
		t.Errorf("bad credentials: err %v, TokensObtained %d; want an error and 0", err, bad.TokensObtained())
	}
}

// A RenewLock is held by one goroutine at a time; waiting for it ends with
// the waiter's ctx.
func TestRenewLock(t *testing.T) {
	l := yeastar.NewRenewLock()
	if err := l.Lock(t.Context()); err != nil {
		t.Fatalf("Lock of a free RenewLock = %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := l.Lock(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Lock of a held RenewLock = %v, want the waiter's context.Canceled", err)
	}
	l.Unlock()
	if err := l.Lock(t.Context()); err != nil {
		t.Errorf("Lock after Unlock = %v", err)
	}
}
