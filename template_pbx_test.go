package template_test

import (
	"fmt"
	"regexp"
	"strings"
)

// checkHTTPSOnly: the client secret travels in the get_token body, so the
// functions never talk to a plain-HTTP PBX.
func checkHTTPSOnly(s *stack) {
	if strings.Contains(s.text, "PBX_ALLOW_HTTP") {
		s.errorf("the template mentions PBX_ALLOW_HTTP; plain HTTP is for local use only")
	}
	s.checkPattern("PbxBaseUrl", map[string]bool{"https://pbx.example.com:8088": true, "https://pbx.example.com/base": true,
		"http://pbx.example.com:8088": false, "HTTP://pbx.example.com:8088": false, "https://user:pw@pbx.example.com": false,
		"https://pbx.example.com:8088/": false, "ftp://pbx.example.com": false, "https://pbx.example.com/?q=token": false})
}

// checkPBXCertificate: a function that talks to the PBX (it has
// PBX_BASE_URL) trusts PbxCaCert: one PEM certificate, on its lines or
// flattened onto one, or nothing (a chain is too long for Lambda's
// environment; a path names no file the function has).
func checkPBXCertificate(s *stack) {
	for _, id := range s.functions() {
		if env := s.env(id); env["PBX_BASE_URL"] != nil && token(env["PBX_CA_CERT"]) != "${PbxCaCert}" {
			s.errorf("%s talks to the PBX with PBX_CA_CERT %v, want !Ref PbxCaCert", id, env["PBX_CA_CERT"])
		}
	}
	cert := "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\nQ2hhbmdlTWU=\n-----END CERTIFICATE-----\n"
	s.checkPattern("PbxCaCert", map[string]bool{"": true, cert: true, strings.ReplaceAll(cert, "\n", " "): true,
		strings.ReplaceAll(cert, "\n", "\r\n"): true, cert + cert: false, "/etc/ssl/pbx.pem": false,
		"-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n": false})
	for _, off := range []string{"insecureskipverify", "insecure_skip", "skip_verify", "skipverify", "no_verify"} {
		if strings.Contains(strings.ToLower(s.text), off) {
			s.errorf("the template mentions %q: TLS verification is never off", off)
		}
	}
}

// checkPattern checks which values a parameter's AllowedPattern accepts.
func (s *stack) checkPattern(param string, accepts map[string]bool) {
	re, err := regexp.Compile(fmt.Sprint(at(s.tpl, "Parameters."+param+".AllowedPattern")))
	for value, want := range accepts {
		if err != nil || re.MatchString(value) != want {
			s.errorf("%s AllowedPattern %v accepts %q: %v, want %v", param, re, value, !want, want)
		}
	}
}
