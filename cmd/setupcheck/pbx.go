package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// stepTimeout bounds one PBX request.
const stepTimeout = 20 * time.Second

// pbxCheck runs the PBX's steps with one login.
type pbxCheck struct {
	cfg   config.Config
	creds yeastar.Credentials
	set   settings
	opts  *yeastar.Options
	rep   *reporter
	token yeastar.Token
	auth  *yeastar.Auth
	c     *yeastar.Client
}

// newPBXCheck prepares the PBX's HTTP client, trusting cfg.PBXCACert; set
// names where cfg's PBX settings come from.
func newPBXCheck(cfg config.Config, creds yeastar.Credentials, set settings, rep *reporter) (*pbxCheck, bool) {
	opts := &yeastar.Options{APIPath: cfg.PBXAPIPath, Secrets: rep.red}
	if cfg.PBXCACert != "" {
		hc, err := yeastar.NewHTTPClientWithCA([]byte(cfg.PBXCACert))
		if err != nil {
			rep.step(statusFail, "reach PBX", err.Error(), set.badCACert)
			return nil, false
		}
		opts.HTTPClient = hc
	}
	opts.HTTPClient = withTimeout(opts.HTTPClient)
	return &pbxCheck{cfg: cfg, creds: creds, set: set, opts: opts, rep: rep}, true
}

// withTimeout is hc (nil: the PBX client's default) with an overall
// timeout: the check downloads no recording, so no request is long.
func withTimeout(hc *http.Client) *http.Client {
	if hc == nil {
		hc = yeastar.NewHTTPClient()
	}
	c := *hc
	c.Timeout = stepTimeout
	return &c
}

// reach sends one request to the PBX's web port: any HTTP answer shows
// that the network path and TLS work.
func (p *pbxCheck) reach(ctx context.Context) bool {
	u, _ := url.Parse(p.cfg.PBXBaseURL) // config.Load checked it
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.cfg.PBXBaseURL+"/", nil)
	if err != nil {
		p.rep.step(statusFail, "reach PBX", err.Error(), "check "+p.set.baseURL)
		return false
	}
	req.Header.Set("User-Agent", yeastar.DefaultUserAgent)
	resp, err := p.opts.HTTPClient.Do(req)
	if err != nil {
		saw, fix := reachProblem(u.Host, err, p.set)
		p.rep.step(statusFail, "reach PBX", saw+" (no further PBX request made)", fix)
		return false
	}
	_ = resp.Body.Close()
	if resp.TLS == nil {
		p.rep.step(statusWarn, "reach PBX", u.Host+" answered over plain HTTP ("+p.set.allowHTTP+")",
			"use https:// on a network you do not control: tokens and recordings cross it unencrypted")
		return true
	}
	p.rep.step(statusOK, "reach PBX", fmt.Sprintf("%s answered over TLS (%s); certificate trusted", u.Host, tls.VersionName(resp.TLS.Version)), "")
	return true
}

// reachProblem explains a failed first request: a certificate the client
// does not trust, or no route to the PBX.
func reachProblem(host string, err error, set settings) (string, string) {
	var unknown x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	switch {
	case errors.As(err, &hostname):
		return "the PBX's certificate is not for " + host + ": " + hostname.Error(),
			"put the host name the certificate names in " + set.baseURL + ", or give the PBX a certificate for " + host
	case errors.As(err, &unknown), errors.As(err, &invalid), errors.As(err, &verify):
		return "the PBX's TLS certificate is not trusted: " + err.Error(),
			"if the PBX uses its own CA, " + set.caCert + "; otherwise install a certificate from a public CA on the PBX"
	}
	return "cannot reach " + host + ": " + err.Error(),
		"check " + set.baseURL + " (HTTPS port 8088 by default, 443 on the Cloud Edition), that the PBX is up, and that this network may reach it"
}
