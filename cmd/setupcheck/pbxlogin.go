package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// ipBlockWarning is said with every failed login: the PBX blocks an IP
// after 5 failed logins, and unblocking it is manual.
const ipBlockWarning = "do not run this check again before fixing it: each failed login counts toward the PBX's block of this IP after 5 failures (70004), which only an administrator can lift"

// login logs in once; on failure it stops the PBX's steps.
func (p *pbxCheck) login(ctx context.Context) bool {
	auth, err := yeastar.NewAuth(p.cfg.PBXBaseURL, p.creds, p.opts)
	if err != nil {
		p.rep.step(statusFail, "login", err.Error(), p.set.noCreds)
		return false
	}
	tok, err := auth.GetToken(ctx)
	if err != nil {
		saw, fix := loginProblem(err, p.set)
		p.rep.step(statusFail, "login", saw+" (no further PBX request made)", fix)
		return false
	}
	p.auth, p.token = auth, tok
	p.c, err = yeastar.New(p.cfg.PBXBaseURL, fixedToken(tok.Access), p.opts)
	if err != nil {
		p.rep.step(statusFail, "login", err.Error(), "")
		return false
	}
	p.rep.step(statusOK, "login", fmt.Sprintf("get_token as %s: token valid for %s (revoked when the check ends)", p.creds.ClientID, tok.AccessExpires.Sub(tok.Issued).Round(time.Second)), "")
	return true
}

// loginProblem explains a failed get_token.
func loginProblem(err error, set settings) (string, string) {
	code, ok := yeastar.ErrorCode(err)
	switch {
	case !ok:
		var httpErr *yeastar.HTTPError
		if errors.As(err, &httpErr) {
			return err.Error(), "check PBX_API_PATH (default openapi/v1.0) and that the API is enabled in Integrations > API; " + ipBlockWarning
		}
		return err.Error(), ipBlockWarning
	case code == yeastar.CodeFailure:
		return "the PBX refused the client ID or secret: " + err.Error(),
			"copy Client ID and Client Secret from Integrations > API in the PBX portal into " + set.creds + "; " + ipBlockWarning
	case code == yeastar.CodeIPBlocked:
		return "the PBX has blocked this IP after failed logins: " + err.Error(),
			"an administrator removes this IP from the PBX's blocked IP list; fix the credentials first, then run this check once"
	case code == yeastar.CodeIPForbidden:
		return "the PBX's API does not allow this IP: " + err.Error(), "add this IP to the allowed IPs of the API in Integrations > API"
	case code == yeastar.CodeAPIUnavailable:
		return "the PBX's API is turned off: " + err.Error(), "turn the API on in Integrations > API"
	case code == yeastar.CodeMaxLimitation:
		return "the API application already holds 8 tokens: " + err.Error(), "wait up to 30 minutes for one to expire; check that nothing else logs in with these credentials"
	}
	return err.Error(), ipBlockWarning
}

// logout revokes the check's token, so that it does not hold one of the
// application's 8 tokens for 30 minutes.
func (p *pbxCheck) logout(ctx context.Context) {
	if err := p.auth.DeleteToken(context.WithoutCancel(ctx), p.token.Access); err != nil {
		p.rep.step(statusWarn, "logout", err.Error(), "the token expires by itself within 30 minutes")
	}
}

// fixedToken is the one token of the check: it never logs in again.
type fixedToken string

func (t fixedToken) AccessToken(context.Context) (string, error) { return string(t), nil }
func (t fixedToken) InvalidateToken(string)                      {}
