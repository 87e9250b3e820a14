package yeastartest

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"time"
)

// maxLoginFailures is how many consecutive failed logins block the caller.
// Yeastar's P-Series developer guide ("Remove Blocked API IP Addresses"):
// an application that fails API authentication 5 times in a row has its IP
// added to the PBX's blocklist, which then refuses its authentication
// requests until an administrator removes the IP (Security > Security Rules
// > Blocked IPs).
const maxLoginFailures = 5

// maxBodySize bounds the JSON body read from a POST request.
const maxBodySize = 64 << 10

// apiCall is one API request being answered, with s.mu held.
type apiCall struct {
	r    *http.Request
	body []byte
	now  time.Time
	pair *tokenPair // the caller's token pair, for endpoints that need one
}

// route describes one API endpoint.
type route struct {
	method     string
	needsToken bool
	answer     func(s *Simulator, c apiCall) any
}

// routes are the API endpoints the simulator serves, by path under APIPath.
var routes = map[string]route{
	"get_token":          {http.MethodPost, false, (*Simulator).getToken},
	"refresh_token":      {http.MethodPost, false, (*Simulator).refreshToken},
	"del_token":          {http.MethodGet, true, (*Simulator).delToken},
	"recording/download": {http.MethodGet, true, (*Simulator).recordingDownload},
}

// serveAPI answers one request to endpoint (the path under APIPath).
func (s *Simulator) serveAPI(w http.ResponseWriter, r *http.Request, endpoint string) {
	rt, ok := routes[endpoint]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.Method != rt.method {
		w.Header().Set("Allow", rt.method)
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodySize))
	if err != nil {
		return // the client went away
	}
	s.mu.Lock()
	resp := s.answerAPI(endpoint, rt, apiCall{r: r, body: body, now: s.opts.Now()})
	s.mu.Unlock()
	writeJSON(w, resp)
}

// answerAPI applies the checks every endpoint shares, then the endpoint's
// own answer. s.mu must be held.
func (s *Simulator) answerAPI(endpoint string, rt route, c apiCall) any {
	s.stats.APIRequests[endpoint]++
	if endpoint == "get_token" {
		s.stats.GetTokenCalls++
	}
	if s.seeUserAgent(c.r) == "" {
		return errResp(ErrCodeParameter)
	}
	if f, ok := s.faults.api.take(endpoint, false); ok {
		s.stats.Faults.API++
		return errResp(f.errcode)
	}
	if rt.needsToken {
		tok := c.r.URL.Query().Get("access_token")
		p, ok := s.tokens.access(tok, c.now)
		if !ok {
			s.refuseToken(tok)
			return errResp(ErrCodeTokenExpired)
		}
		c.pair = p
	}
	return rt.answer(s, c)
}

// refuseToken counts a request refused for its token tok; s.mu must be
// held.
func (s *Simulator) refuseToken(tok string) {
	s.stats.InvalidTokenRequests++
	if s.tokens.revokedAll[tok] {
		s.stats.Faults.Revoked++
	}
}

// errResp is the body of an answer with errcode.
func errResp(errcode int) errorBody {
	return errorBody{ErrCode: errcode, ErrMsg: ErrMsg(errcode)}
}

// getToken answers get_token.
func (s *Simulator) getToken(c apiCall) any {
	ip := callerIP(c.r)
	if s.loginFailures[ip] >= maxLoginFailures {
		s.stats.BlockedLogins++
		return errResp(ErrCodeAccountIPBlocked)
	}
	var creds struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := json.Unmarshal(c.body, &creds); err != nil {
		return errResp(ErrCodeParameter)
	}
	if !s.credentialsOK(creds.Username, creds.Password) {
		s.loginFailures[ip]++
		s.stats.FailedLogins++
		return errResp(ErrCodeFailure)
	}
	delete(s.loginFailures, ip)
	if s.tokens.valid(c.now) >= s.opts.MaxTokens {
		return errResp(ErrCodeMaxLimitation)
	}
	s.stats.TokensIssued++
	return s.issue(c.now)
}

// credentialsOK reports whether user and pass are the configured ones.
func (s *Simulator) credentialsOK(user, pass string) bool {
	if s.opts.ClientID == "" || s.opts.ClientSecret == "" {
		return false
	}
	idOK := subtle.ConstantTimeCompare([]byte(user), []byte(s.opts.ClientID))
	secretOK := subtle.ConstantTimeCompare([]byte(pass), []byte(s.opts.ClientSecret))
	return idOK&secretOK == 1
}

// issue creates a token pair and the answer that hands it out.
func (s *Simulator) issue(now time.Time) tokenBody {
	p := s.tokens.issue(now, s.opts.AccessTokenLifetime, s.opts.RefreshTokenLifetime)
	s.stats.MaxValidTokens = max(s.stats.MaxValidTokens, s.tokens.valid(now))
	return tokenBody{
		ErrMsg:                 ErrMsg(ErrCodeSuccess),
		AccessTokenExpireTime:  seconds(s.opts.AccessTokenLifetime),
		AccessToken:            p.access,
		RefreshTokenExpireTime: seconds(s.opts.RefreshTokenLifetime),
		RefreshToken:           p.refresh,
	}
}

// refreshToken answers refresh_token: a new pair replaces the old one.
func (s *Simulator) refreshToken(c apiCall) any {
	var req struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.Unmarshal(c.body, &req); err != nil || req.RefreshToken == "" {
		return errResp(ErrCodeParameter)
	}
	old, ok := s.tokens.refresh(req.RefreshToken, c.now)
	if !ok {
		s.refuseToken(req.RefreshToken)
		return errResp(ErrCodeTokenExpired)
	}
	s.tokens.revoke(old)
	s.stats.Refreshes++
	return s.issue(c.now)
}

// delToken answers del_token: the caller's token pair is revoked.
func (s *Simulator) delToken(c apiCall) any {
	s.tokens.revoke(c.pair)
	s.stats.DeletedTokens++
	return errResp(ErrCodeSuccess)
}
