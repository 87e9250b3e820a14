package template_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// TestPBXCertificateReachesEveryPBXFunction: every function that talks to
// the PBX (it has PBX_BASE_URL) trusts PbxCaCert; the parameter takes one
// PEM certificate, as its lines or flattened onto one line, or nothing;
// and no setting turns verification off.
func TestPBXCertificateReachesEveryPBXFunction(t *testing.T) {
	tpl := loadTemplate(t)
	var pbxFunctions int
	for _, id := range resourcesOfType(t, tpl, "AWS::Serverless::Function") {
		env := getMap(t, functionProps(t, tpl, id), "Environment", "Variables")
		if env["PBX_BASE_URL"] == nil {
			continue
		}
		pbxFunctions++
		if got := fmt.Sprint(env["PBX_CA_CERT"]); got != fmt.Sprint(ref("PbxCaCert")) {
			t.Errorf("%s talks to the PBX with PBX_CA_CERT %s, want !Ref PbxCaCert", id, got)
		}
	}
	if pbxFunctions != 2 {
		t.Errorf("%d functions talk to the PBX, want 2 (copy, reconcile)", pbxFunctions)
	}
	param := getMap(t, tpl, "Parameters", "PbxCaCert")
	if d := param["Default"]; d != "" {
		t.Errorf("PbxCaCert defaults to %q, want empty", d)
	}
	re := regexp.MustCompile(param["AllowedPattern"].(string))
	cert := "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\nQ2hhbmdlTWU=\n-----END CERTIFICATE-----\n"
	for value, want := range map[string]bool{
		"":                                     true,
		cert:                                   true,
		strings.ReplaceAll(cert, "\n", " "):    true,
		strings.ReplaceAll(cert, "\n", "\r\n"): true,
		cert + cert:                            false, // a chain: too long for Lambda's environment
		"/etc/ssl/pbx.pem":                     false, // the function has no such file
		"-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n": false,
	} {
		if got := re.MatchString(value); got != want {
			t.Errorf("PbxCaCert AllowedPattern matches %q = %v, want %v", value, got, want)
		}
	}
	text := strings.ToLower(string(readFile(t, *templatePath)))
	for _, off := range []string{"insecureskipverify", "insecure_skip", "skip_verify", "skipverify", "no_verify"} {
		if strings.Contains(text, off) {
			t.Errorf("%s mentions %q: TLS verification is never off", *templatePath, off)
		}
	}
}
