package yeastar

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// tokenPair is the access/refresh pair the PBX issued, with absolute expiry times.
type tokenPair struct {
	access, refresh       string
	issued                time.Time // by the client's clock, when it was asked for
	accessExp, refreshExp time.Time
}

// tokenResponse is the answer of get_token and refresh_token.
type tokenResponse struct {
	AccessToken   string `json:"access_token"`
	AccessExpire  int64  `json:"access_token_expire_time"`
	RefreshToken  string `json:"refresh_token"`
	RefreshExpire int64  `json:"refresh_token_expire_time"`
}

// AccessToken returns a valid access token. The cached one is reused until
// shortly before it expires; then it is renewed with refresh_token, falling
// back to get_token when the refresh token is gone or refused. Concurrent
// callers wait for one renewal instead of each fetching a token (the PBX
// allows 8 valid tokens per application).
func (c *Client) AccessToken(ctx context.Context) (string, error) {
	c.tokenMu.Lock()
	defer c.tokenMu.Unlock()
	now := c.now()
	if c.token.access != "" && now.Before(c.renewAt(c.token)) {
		return c.token.access, nil
	}
	if c.token.refresh != "" && now.Before(c.token.refreshExp) {
		pair, err := c.exchange(ctx, "refresh_token", map[string]string{"refresh_token": c.token.refresh})
		if err == nil {
			c.token = pair
			return pair.access, nil
		}
		if ctx.Err() != nil {
			return "", err
		}
		// The refresh token was refused or lost: log in again below.
	}
	c.token = tokenPair{}
	pair, err := c.exchange(ctx, "get_token", map[string]string{
		"username": c.creds.ClientID,
		"password": c.creds.ClientSecret,
	})
	if err != nil {
		return "", err
	}
	c.token = pair
	return pair.access, nil
}

// InvalidateToken drops the cached token if it is still token, so that the
// next AccessToken call renews it. Call it after the PBX answered 10004.
func (c *Client) InvalidateToken(token string) {
	c.tokenMu.Lock()
	defer c.tokenMu.Unlock()
	if c.token.access == token {
		c.token.access = ""
		c.token.accessExp = time.Time{}
	}
}

// renewAt is when a token stops being handed out: RefreshMargin before it
// expires, or a quarter of its lifetime for short-lived tokens.
func (c *Client) renewAt(t tokenPair) time.Time {
	margin := c.margin
	// The whole lifetime, not what is left of it: measured from now, the
	// margin would shrink as expiry nears and the token would never be
	// renewed before it expires.
	if life := t.accessExp.Sub(t.issued); life < 4*margin {
		margin = life / 4
	}
	return t.accessExp.Add(-margin)
}

// exchange calls get_token or refresh_token and returns the new pair.
func (c *Client) exchange(ctx context.Context, op string, body map[string]string) (tokenPair, error) {
	issued := c.now()
	var resp tokenResponse
	if err := c.call(ctx, op, nil, body, &resp); err != nil {
		return tokenPair{}, err
	}
	if resp.AccessToken == "" || resp.AccessExpire <= 0 {
		return tokenPair{}, &ContentError{Op: op, ContentType: "application/json", Reason: "no access token in the answer"}
	}
	return tokenPair{
		access:     resp.AccessToken,
		refresh:    resp.RefreshToken,
		issued:     issued,
		accessExp:  issued.Add(time.Duration(resp.AccessExpire) * time.Second),
		refreshExp: issued.Add(time.Duration(resp.RefreshExpire) * time.Second),
	}, nil
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
		err = fn(token)
		if attempt == 0 && errors.Is(err, &APIError{Code: CodeTokenExpired}) {
			c.InvalidateToken(token)
			continue
		}
		return err
	}
}
