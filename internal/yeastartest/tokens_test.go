package yeastartest

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"
)

var tokenPattern = regexp.MustCompile(`^[A-Za-z0-9]{32}$`)

func TestGetToken(t *testing.T) {
	tests := []struct {
		name                            string
		opts                            Options
		ua                              string
		body                            any
		wantErr                         int
		wantMsg                         string
		wantAccessSecs, wantRefreshSecs int
	}{
		{"defaults", Options{}, testUA, creds(testClientID, testClientSecret), 0, "SUCCESS", 1800, 86400},
		{"lifetimes round up", Options{AccessTokenLifetime: 1500 * time.Millisecond, RefreshTokenLifetime: time.Hour}, testUA,
			creds(testClientID, testClientSecret), 0, "SUCCESS", 2, 3600},
		{"tiny lifetime reports 1s", Options{AccessTokenLifetime: time.Millisecond}, testUA, creds(testClientID, testClientSecret), 0, "SUCCESS", 1, 86400},
		{"wrong secret", Options{}, testUA, creds(testClientID, "nope"), -1, "FAILURE", 0, 0},
		{"wrong id", Options{}, testUA, creds("nope", testClientSecret), -1, "FAILURE", 0, 0},
		{"not JSON", Options{}, testUA, "just a string", 40002, "PARAMETER ERROR", 0, 0},
		{"no User-Agent", Options{}, "", creds(testClientID, testClientSecret), 40002, "PARAMETER ERROR", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestSim(t, tt.opts)
			c := newTestClient(t, s)
			c.ua = tt.ua
			r := c.api("get_token", nil, tt.body)
			if r.ErrCode != tt.wantErr || r.ErrMsg != tt.wantMsg {
				t.Fatalf("got %d %q, want %d %q", r.ErrCode, r.ErrMsg, tt.wantErr, tt.wantMsg)
			}
			if r.AccessTokenExpireTime != tt.wantAccessSecs || r.RefreshTokenExpireTime != tt.wantRefreshSecs {
				t.Errorf("expire times = %d, %d; want %d, %d", r.AccessTokenExpireTime, r.RefreshTokenExpireTime, tt.wantAccessSecs, tt.wantRefreshSecs)
			}
			wantIssued := 0
			if tt.wantErr == 0 {
				wantIssued = 1
				if !tokenPattern.MatchString(r.AccessToken) || !tokenPattern.MatchString(r.RefreshToken) || r.AccessToken == r.RefreshToken {
					t.Errorf("tokens %q, %q are not two distinct 32-character alphanumerics", r.AccessToken, r.RefreshToken)
				}
			}
			st := s.Stats()
			if st.TokensIssued != wantIssued || st.GetTokenCalls != 1 || st.APIRequests["get_token"] != 1 {
				t.Errorf("stats: issued %d, calls %d, requests %v", st.TokensIssued, st.GetTokenCalls, st.APIRequests)
			}
			if st.UserAgents[tt.ua] != 1 {
				t.Errorf("UserAgents = %v, want %q counted once", st.UserAgents, tt.ua)
			}
		})
	}
}

func creds(user, pass string) map[string]string {
	return map[string]string{"username": user, "password": pass}
}

func TestTokenCap(t *testing.T) {
	tests := []struct {
		name string
		max  int
	}{
		{"default 8", 0},
		{"custom 3", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestSim(t, Options{MaxTokens: tt.max})
			c := newTestClient(t, s)
			limit := tt.max
			if limit == 0 {
				limit = DefaultMaxTokens
			}
			toks := make([]string, limit)
			for i := range toks {
				toks[i] = c.token()
			}
			if r := c.login(testClientID, testClientSecret); r.ErrCode != 60002 || r.ErrMsg != "MAX LIMITATION EXCEEDED" {
				t.Fatalf("token %d: got %d %q, want 60002", limit+1, r.ErrCode, r.ErrMsg)
			}
			st := s.Stats()
			if st.ValidTokens != limit || st.MaxValidTokens != limit || st.TokensIssued != limit || st.GetTokenCalls != limit+1 {
				t.Errorf("stats: valid %d, max %d, issued %d, calls %d", st.ValidTokens, st.MaxValidTokens, st.TokensIssued, st.GetTokenCalls)
			}
			// Revoking one makes room for exactly one more.
			if r := c.api("del_token", url.Values{"access_token": {toks[0]}}, nil); r.ErrCode != 0 {
				t.Fatalf("del_token: %d", r.ErrCode)
			}
			c.token()
			if r := c.login(testClientID, testClientSecret); r.ErrCode != 60002 {
				t.Fatalf("after del_token and one login: got %d, want 60002", r.ErrCode)
			}
		})
	}
}

func TestTokenExpiry(t *testing.T) {
	clock := newFakeClock()
	s := newTestSim(t, Options{MaxTokens: 1, Now: clock.Now})
	s.AddRecording(Recording{ID: 1, File: "a.wav", Size: 10})
	c := newTestClient(t, s)
	tok := c.token()
	clock.Advance(DefaultAccessTokenLifetime - time.Nanosecond)
	if r := c.link(tok, 1); r.ErrCode != 0 {
		t.Fatalf("token in the last nanosecond of its life: errcode %d", r.ErrCode)
	}
	if r := c.login(testClientID, testClientSecret); r.ErrCode != 60002 {
		t.Fatalf("second token with MaxTokens 1: got %d, want 60002", r.ErrCode)
	}
	clock.Advance(time.Nanosecond)
	if r := c.link(tok, 1); r.ErrCode != 10004 || r.ErrMsg != "TOKEN EXPIRED" {
		t.Fatalf("expired token: got %d %q, want 10004 TOKEN EXPIRED", r.ErrCode, r.ErrMsg)
	}
	st := s.Stats()
	if st.InvalidTokenRequests != 1 || st.ValidTokens != 0 {
		t.Errorf("stats: invalid %d, valid %d; want 1, 0", st.InvalidTokenRequests, st.ValidTokens)
	}
	c.token() // the expired token no longer counts against the cap
}

func TestRefreshToken(t *testing.T) {
	s := newTestSim(t, Options{})
	s.AddRecording(Recording{ID: 1, File: "a.wav", Size: 10})
	c := newTestClient(t, s)
	first := c.login(testClientID, testClientSecret)
	second := c.api("refresh_token", nil, map[string]string{"refresh_token": first.RefreshToken})
	if second.ErrCode != 0 || !tokenPattern.MatchString(second.AccessToken) || second.AccessToken == first.AccessToken ||
		second.RefreshToken == first.RefreshToken || second.AccessTokenExpireTime != 1800 {
		t.Fatalf("refresh_token: %+v", second)
	}
	checks := []struct {
		name    string
		errcode func() int
		want    int
	}{
		{"old access token", func() int { return c.link(first.AccessToken, 1).ErrCode }, 10004},
		{"old refresh token", func() int { return refresh(c, first.RefreshToken) }, 10004},
		{"unknown refresh token", func() int { return refresh(c, "x") }, 10004},
		{"empty refresh token", func() int { return refresh(c, "") }, 40002},
		{"new access token", func() int { return c.link(second.AccessToken, 1).ErrCode }, 0},
	}
	for _, tt := range checks {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.errcode(); got != tt.want {
				t.Errorf("errcode = %d, want %d", got, tt.want)
			}
		})
	}
	if st := s.Stats(); st.Refreshes != 1 || st.TokensIssued != 1 || st.ValidTokens != 1 {
		t.Errorf("stats: refreshes %d, issued %d, valid %d; want 1, 1, 1", st.Refreshes, st.TokensIssued, st.ValidTokens)
	}
}

func refresh(c *testClient, tok string) int {
	return c.api("refresh_token", nil, map[string]string{"refresh_token": tok}).ErrCode
}

func TestRefreshTokenExpiry(t *testing.T) {
	clock := newFakeClock()
	s := newTestSim(t, Options{Now: clock.Now})
	c := newTestClient(t, s)
	first := c.login(testClientID, testClientSecret)
	clock.Advance(DefaultAccessTokenLifetime) // access expired, refresh still valid
	if r := c.link(first.AccessToken, 1); r.ErrCode != 10004 {
		t.Fatalf("access token past its life: errcode %d, want 10004", r.ErrCode)
	}
	second := c.api("refresh_token", nil, map[string]string{"refresh_token": first.RefreshToken})
	if second.ErrCode != 0 {
		t.Fatalf("refresh after access expiry: errcode %d", second.ErrCode)
	}
	clock.Advance(DefaultRefreshTokenLifetime)
	if got := refresh(c, second.RefreshToken); got != 10004 {
		t.Fatalf("expired refresh token: errcode %d, want 10004", got)
	}
}

func TestDelToken(t *testing.T) {
	s := newTestSim(t, Options{})
	s.AddRecording(Recording{ID: 1, File: "a.wav", Size: 10})
	c := newTestClient(t, s)
	tok := c.token()
	if r := c.api("del_token", url.Values{"access_token": {tok}}, nil); r.ErrCode != 0 || r.ErrMsg != "SUCCESS" {
		t.Fatalf("del_token: %d %q", r.ErrCode, r.ErrMsg)
	}
	if r := c.link(tok, 1); r.ErrCode != 10004 {
		t.Errorf("revoked token: errcode %d, want 10004", r.ErrCode)
	}
	if r := c.api("del_token", url.Values{"access_token": {tok}}, nil); r.ErrCode != 10004 {
		t.Errorf("del_token twice: errcode %d, want 10004", r.ErrCode)
	}
	if st := s.Stats(); st.DeletedTokens != 1 || st.ValidTokens != 0 || st.InvalidTokenRequests != 2 {
		t.Errorf("stats: deleted %d, valid %d, invalid %d; want 1, 0, 2", st.DeletedTokens, st.ValidTokens, st.InvalidTokenRequests)
	}
}

func TestRevokeAll(t *testing.T) {
	s := newTestSim(t, Options{})
	s.AddRecording(Recording{ID: 1, File: "a.wav", Size: 10})
	c := newTestClient(t, s)
	pair := c.login(testClientID, testClientSecret)
	s.RevokeAll()
	if r := c.link(pair.AccessToken, 1); r.ErrCode != 10004 {
		t.Errorf("access token after RevokeAll: errcode %d, want 10004", r.ErrCode)
	}
	if got := refresh(c, pair.RefreshToken); got != 10004 {
		t.Errorf("refresh token after RevokeAll: errcode %d, want 10004", got)
	}
	if st := s.Stats(); st.ValidTokens != 0 || st.Faults != (FaultCounts{Revoked: 2}) {
		t.Errorf("ValidTokens = %d, Faults = %+v; want 0 and both tokens refused as revoked", st.ValidTokens, st.Faults)
	}
}

func TestLoginBlocking(t *testing.T) {
	s := newTestSim(t, Options{})
	c := newTestClient(t, s)
	// A success resets the count of consecutive failures.
	for range 4 {
		c.login(testClientID, "bad")
	}
	c.token()
	for i := range 5 {
		if r := c.login(testClientID, "bad"); r.ErrCode != -1 {
			t.Fatalf("bad login %d: errcode %d, want -1", i+1, r.ErrCode)
		}
	}
	for _, pass := range []string{testClientSecret, "bad"} {
		if r := c.login(testClientID, pass); r.ErrCode != 70004 || r.ErrMsg != "ACCOUNT IP BLOCKED" {
			t.Fatalf("blocked login with %q: got %d %q, want 70004", pass, r.ErrCode, r.ErrMsg)
		}
	}
	s.Unblock()
	c.token()
}

func TestAuthorizationHeaderIgnored(t *testing.T) {
	s := newTestSim(t, Options{})
	s.AddRecording(Recording{ID: 1, File: "a.wav", Size: 10})
	c := newTestClient(t, s)
	tok := c.token()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL()+"/openapi/v1.0/recording/download?id=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp := c.do(req)
	defer resp.Body.Close()
	if r := decodeResp(t, resp); r.ErrCode != 10004 {
		t.Fatalf("token in Authorization header: errcode %d, want 10004", r.ErrCode)
	}
}
