package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"
)

// selfSigned returns a PBX's self-signed certificate as PEM.
func selfSigned(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pbx.example.com"},
		DNSNames: []string{"pbx.example.com"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// TestCACertOnOneLine: PBX_CA_CERT as a CloudFormation parameter entered
// at a prompt arrives on one line, its line breaks turned into spaces; Load
// gives it back the PEM a certificate pool accepts. Text with its line
// breaks is kept as it is.
func TestCACertOnOneLine(t *testing.T) {
	cert := selfSigned(t)
	flat := strings.TrimSpace(strings.ReplaceAll(cert, "\n", " "))
	if x509.NewCertPool().AppendCertsFromPEM([]byte(flat)) {
		t.Fatal("a flattened certificate parses as it is: this test would prove nothing")
	}
	tabs := strings.Join(strings.Split(strings.TrimSpace(cert), "\n"), " \t ")
	for name, value := range map[string]string{"lines": cert, "one line": flat, "one line, tabs and spaces": tabs} {
		t.Run(name, func(t *testing.T) {
			c, err := Load(lookup(env(map[string]string{"PBX_CA_CERT": value})))
			if err != nil {
				t.Fatal(err)
			}
			if strings.TrimSpace(c.PBXCACert) != strings.TrimSpace(cert) {
				t.Errorf("PBXCACert = %q, want %q", c.PBXCACert, cert)
			}
			if !x509.NewCertPool().AppendCertsFromPEM([]byte(c.PBXCACert)) {
				t.Errorf("PBXCACert %q is not a certificate a pool accepts", c.PBXCACert)
			}
		})
	}
}

// TestReflowPEMLeavesOtherTextAlone: a block whose BEGIN and END differ,
// or text without a block, stays as it is, to fail where it is used.
func TestReflowPEMLeavesOtherTextAlone(t *testing.T) {
	for _, text := range []string{
		"-----BEGIN CERTIFICATE----- MIIB -----END PRIVATE KEY-----",
		"-----BEGIN CERTIFICATE without an end",
	} {
		if got := reflowPEM(text); got != text {
			t.Errorf("reflowPEM(%q) = %q, want it unchanged", text, got)
		}
	}
}
