package yeastartest

import (
	"crypto/rand"
	"time"
)

// tokenPair is one access token and the refresh token issued with it.
type tokenPair struct {
	access, refresh       string
	accessExp, refreshExp time.Time
}

// tokenStore holds the issued token pairs. It is guarded by Simulator.mu.
type tokenStore struct {
	byAccess  map[string]*tokenPair
	byRefresh map[string]*tokenPair
	history   []string // every token ever issued, for leak checks
	// revokedAll holds the tokens RevokeAll revoked, to count the requests
	// that fault refused.
	revokedAll map[string]bool
}

func newTokenStore() tokenStore {
	return tokenStore{byAccess: map[string]*tokenPair{}, byRefresh: map[string]*tokenPair{}, revokedAll: map[string]bool{}}
}

// issue creates and stores a new pair.
func (ts *tokenStore) issue(now time.Time, accessLife, refreshLife time.Duration) *tokenPair {
	p := &tokenPair{
		access:     randomText(32),
		refresh:    randomText(32),
		accessExp:  now.Add(accessLife),
		refreshExp: now.Add(refreshLife),
	}
	ts.byAccess[p.access] = p
	ts.byRefresh[p.refresh] = p
	ts.history = append(ts.history, p.access, p.refresh)
	return p
}

// access returns the pair whose access token is tok, if it is still valid.
func (ts *tokenStore) access(tok string, now time.Time) (*tokenPair, bool) {
	p, ok := ts.byAccess[tok]
	if !ok || !now.Before(p.accessExp) {
		return nil, false
	}
	return p, true
}

// refresh returns the pair whose refresh token is tok, if it is still valid.
func (ts *tokenStore) refresh(tok string, now time.Time) (*tokenPair, bool) {
	p, ok := ts.byRefresh[tok]
	if !ok || !now.Before(p.refreshExp) {
		return nil, false
	}
	return p, true
}

// revoke invalidates both tokens of p.
func (ts *tokenStore) revoke(p *tokenPair) {
	delete(ts.byAccess, p.access)
	delete(ts.byRefresh, p.refresh)
}

// revokeAll invalidates every issued token.
func (ts *tokenStore) revokeAll() {
	for tok := range ts.byAccess {
		ts.revokedAll[tok] = true
	}
	for tok := range ts.byRefresh {
		ts.revokedAll[tok] = true
	}
	clear(ts.byAccess)
	clear(ts.byRefresh)
}

// valid counts the access tokens valid at now, forgetting pairs whose both
// tokens have expired.
func (ts *tokenStore) valid(now time.Time) int {
	n := 0
	for _, p := range ts.byAccess {
		if now.Before(p.accessExp) {
			n++
		} else if !now.Before(p.refreshExp) {
			ts.revoke(p)
		}
	}
	return n
}

const alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomText returns n random alphanumeric characters, like the PBX's tokens.
func randomText(n int) string {
	out := make([]byte, 0, n)
	var b [64]byte
	for len(out) < n {
		_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error
		for _, c := range b {
			// 248 = 4*62: drop the bytes that would bias the modulo.
			if c < 248 && len(out) < n {
				out = append(out, alphanumeric[c%62])
			}
		}
	}
	return string(out)
}

// IssuedTokens returns every access and refresh token the simulator has
// issued so far, revoked and expired ones included, so that tests can check
// that none of them leaked into logs, errors or results.
func (s *Simulator) IssuedTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.tokens.history...)
}
