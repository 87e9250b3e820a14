package yeastar

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"
)

// Token is an access/refresh pair the PBX issued, with absolute expiry
// times. It is what a shared token cache stores.
type Token struct {
	Access         string    `json:"access_token"`
	Refresh        string    `json:"refresh_token"`
	Issued         time.Time `json:"issued"`
	AccessExpires  time.Time `json:"access_expires"`
	RefreshExpires time.Time `json:"refresh_expires"`
}

// RenewAt is when t stops being handed out: margin before it expires, or a
// quarter of its lifetime for short-lived tokens. The whole lifetime counts,
// not what is left of it: measured from now, the margin would shrink as
// expiry nears and the token would never be renewed before it expires.
func (t Token) RenewAt(margin time.Duration) time.Time {
	if life := t.AccessExpires.Sub(t.Issued); life < 4*margin {
		margin = life / 4
	}
	return t.AccessExpires.Add(-margin)
}

// TokenSource supplies the access tokens a Client uses: MemoryTokens for
// one process, or a shared source that lets many instances use one token
// (the PBX allows 8 valid tokens per application).
type TokenSource interface {
	// AccessToken returns a valid access token.
	AccessToken(ctx context.Context) (string, error)
	// InvalidateToken tells the source that the PBX refused access (10004).
	InvalidateToken(access string)
}

// tokenResponse is the answer of get_token and refresh_token.
type tokenResponse struct {
	AccessToken   string `json:"access_token"`
	AccessExpire  int64  `json:"access_token_expire_time"`
	RefreshToken  string `json:"refresh_token"`
	RefreshExpire int64  `json:"refresh_token_expire_time"`
}

// GetToken logs in with the credentials and returns a new token. Never
// retry it on errcode -1: repeated failed logins block the IP.
func (c *Auth) GetToken(ctx context.Context) (Token, error) {
	return c.exchange(ctx, "get_token", map[string]string{
		"username": c.creds.ClientID,
		"password": c.creds.ClientSecret,
	})
}

// RefreshToken exchanges a refresh token for a new pair.
func (c *Auth) RefreshToken(ctx context.Context, refresh string) (Token, error) {
	return c.exchange(ctx, "refresh_token", map[string]string{"refresh_token": refresh})
}

// DeleteToken revokes an access token (del_token), so that a superseded
// token stops counting against the PBX's limit.
func (c *Auth) DeleteToken(ctx context.Context, access string) error {
	return c.call(ctx, "del_token", url.Values{"access_token": {access}}, nil, nil)
}

// exchange calls get_token or refresh_token and returns the new pair.
func (c *Auth) exchange(ctx context.Context, op string, body map[string]string) (Token, error) {
	issued := c.now()
	var resp tokenResponse
	if err := c.call(ctx, op, nil, body, &resp); err != nil {
		return Token{}, err
	}
	c.secrets.Add(resp.AccessToken)
	c.secrets.Add(resp.RefreshToken)
	if resp.AccessToken == "" || resp.AccessExpire <= 0 {
		return Token{}, &ContentError{Op: op, ContentType: "application/json", Reason: "no access token in the answer"}
	}
	c.obtained.Add(1)
	return Token{
		Access:         resp.AccessToken,
		Refresh:        resp.RefreshToken,
		Issued:         issued,
		AccessExpires:  issued.Add(time.Duration(resp.AccessExpire) * time.Second),
		RefreshExpires: issued.Add(time.Duration(resp.RefreshExpire) * time.Second),
	}, nil
}

// AccessToken returns a valid access token from the client's token source.
func (c *Client) AccessToken(ctx context.Context) (string, error) {
	return c.tokens.AccessToken(ctx)
}

// InvalidateToken tells the token source that the PBX refused token.
func (c *Client) InvalidateToken(token string) { c.tokens.InvalidateToken(token) }

// MemoryTokens is the TokenSource of a process alone on the PBX: one token
// in memory, reused until shortly before it expires (Options.RefreshMargin
// of its Auth), then renewed with refresh_token, falling back to get_token
// when the refresh token is gone or refused. Concurrent callers wait for
// one renewal instead of each fetching a token, or until their ctx ends.
type MemoryTokens struct {
	c      *Auth
	renewL RenewLock // held by the one goroutine renewing

	mu    sync.Mutex // guards token; never held across a request
	token Token
}

// NewMemoryTokens returns a MemoryTokens renewing with a.
func NewMemoryTokens(a *Auth) *MemoryTokens {
	return &MemoryTokens{c: a, renewL: NewRenewLock()}
}

// RenewLock is held by the one goroutine renewing a token while the others
// wait for it: unlike a sync.Mutex, waiting for it ends with the waiter's
// ctx.
type RenewLock chan struct{}

// NewRenewLock returns an unheld RenewLock.
func NewRenewLock() RenewLock { return make(RenewLock, 1) }

// Lock takes l, waiting until it is free or ctx ends; then it returns
// ctx.Err() without l.
func (l RenewLock) Lock(ctx context.Context) error {
	select {
	case l <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Unlock frees l, taken by Lock.
func (l RenewLock) Unlock() { <-l }

// NewStandalone returns a Client of baseURL for a process alone on the
// PBX: it keeps its own token in memory (MemoryTokens), renewed by an Auth
// with creds; both share opts.
func NewStandalone(baseURL string, creds Credentials, opts *Options) (*Client, error) {
	auth, err := NewAuth(baseURL, creds, opts)
	if err != nil {
		return nil, err
	}
	return New(baseURL, NewMemoryTokens(auth), opts)
}

// AccessToken returns the token in memory, renewed when due.
func (m *MemoryTokens) AccessToken(ctx context.Context) (string, error) {
	if access, ok := m.cached(); ok {
		return access, nil
	}
	if err := m.renewL.Lock(ctx); err != nil {
		return "", err
	}
	defer m.renewL.Unlock()
	// Another goroutine may have renewed while this one waited.
	if access, ok := m.cached(); ok {
		return access, nil
	}
	m.mu.Lock()
	old := m.token
	m.mu.Unlock()
	t, err := m.renew(ctx, old)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.token = t // the zero Token after a failure: log in next time
	if err != nil {
		return "", err
	}
	return t.Access, nil
}

// cached returns the token in memory if it is not yet due for renewal.
func (m *MemoryTokens) cached() (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.token.Access != "" && m.c.now().Before(m.token.RenewAt(m.c.margin)) {
		return m.token.Access, true
	}
	return "", false
}

// renew refreshes old if its refresh token may still work, else (or when
// refused) logs in.
func (m *MemoryTokens) renew(ctx context.Context, old Token) (Token, error) {
	if old.Refresh != "" && m.c.now().Before(old.RefreshExpires) {
		t, err := m.c.RefreshToken(ctx, old.Refresh)
		if err == nil {
			return t, nil
		}
		if ctx.Err() != nil {
			return old, err // keep the pair: the refresh may still work later
		}
		// The refresh token was refused or lost: log in again below.
	}
	return m.c.GetToken(ctx)
}

// InvalidateToken drops access if it is the token in memory.
func (m *MemoryTokens) InvalidateToken(access string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.token.Access == access {
		m.token.Access = ""
		m.token.AccessExpires = time.Time{}
	}
}

// errNoToken guards against using an empty token by mistake.
var errNoToken = errors.New("yeastar: no access token")

// withToken runs fn with a valid token; when the PBX answers 10004 (TOKEN
// EXPIRED) it drops that token and runs fn once more with a fresh one.
func (c *Client) withToken(ctx context.Context, fn func(token string) error) error {
	for attempt := 0; ; attempt++ {
		token, err := c.AccessToken(ctx)
		if err != nil {
			return fmt.Errorf("access token: %w", err)
		}
		if token == "" {
			return errNoToken
		}
		c.secrets.Add(token) // it may come from a shared cache this client never saw fill
		err = fn(token)
		if attempt == 0 && errors.Is(err, &APIError{Code: CodeTokenExpired}) {
			c.InvalidateToken(token)
			continue
		}
		return err
	}
}
