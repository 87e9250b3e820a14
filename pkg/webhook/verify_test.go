package webhook_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/webhook"
)

// The vectors were computed once outside Go, e.g.
//
//	printf '%s' "$body" | openssl dgst -sha256 -hmac "$secret" -binary | base64
//
// so that Sign is not checked against itself.
const (
	body30012   = `{"type":30012,"sn":"3631A2124XXX","msg":"{\"call_id\":\"1651057476.362\",\"recording\":\"\"}"}`
	secret      = "Zx8Q2mW7pL4kT9vB3nR6yH1cJ5dF0gS2" // 32 characters, as the PBX makes them
	sig30012    = "flJFOpoiwZnF/NRfGZQK037np2h5TTdpMammb76NYkU="
	sigEmpty    = "HGbWlxQmJy7N/hGyl5LyxJedT7GIHitzMUtFDBr9Oj4="
	rfc4231Body = "what do ya want for nothing?" // RFC 4231 test case 2, key "Jefe"
	rfc4231Sig  = "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="
)

func TestSign(t *testing.T) {
	tests := []struct {
		name, body, secret, want string
	}{
		{"30012 event", body30012, secret, sig30012},
		{"empty body", "", secret, sigEmpty},
		{"RFC 4231 case 2", rfc4231Body, "Jefe", rfc4231Sig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := webhook.Sign([]byte(tt.body), tt.secret); got != tt.want {
				t.Errorf("Sign = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	flipped := []byte(body30012)
	flipped[10] ^= 1
	tests := []struct {
		name      string
		body      string
		signature string
		secret    string
		want      error // nil: verifies
	}{
		{"valid", body30012, sig30012, secret, nil},
		{"valid, empty body", "", sigEmpty, secret, nil},
		{"valid, RFC 4231", rfc4231Body, rfc4231Sig, "Jefe", nil},
		{"valid without padding", body30012, strings.TrimRight(sig30012, "="), secret, nil},
		{"tampered body", string(flipped), sig30012, secret, webhook.ErrBadSignature},
		{"body with a trailing newline", body30012 + "\n", sig30012, secret, webhook.ErrBadSignature},
		{"tampered signature", body30012, "glJFOpoiwZnF/NRfGZQK037np2h5TTdpMammb76NYkU=", secret, webhook.ErrBadSignature},
		{"wrong secret", body30012, sig30012, secret[:31] + "3", webhook.ErrBadSignature},
		{"signature of another body", body30012, sigEmpty, secret, webhook.ErrBadSignature},
		{"missing signature", body30012, "", secret, webhook.ErrMissingSignature},
		{"empty secret", body30012, sig30012, "", webhook.ErrNoSecret},
		{"not base64", body30012, "not a signature!", secret, webhook.ErrMalformedSignature},
		{"hex instead of base64", rfc4231Body, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", "Jefe", webhook.ErrMalformedSignature},
		{"URL-safe alphabet", body30012, "flJFOpoiwZnF_NRfGZQK037np2h5TTdpMammb76NYkU=", secret, webhook.ErrMalformedSignature},
		{"double padding", body30012, sig30012 + "=", secret, webhook.ErrMalformedSignature},
		{"truncated", body30012, sig30012[:40], secret, webhook.ErrMalformedSignature},
		{"too long", body30012, sig30012[:43] + "AAAA", secret, webhook.ErrMalformedSignature},
		{"non-zero trailing bits", body30012, "flJFOpoiwZnF/NRfGZQK037np2h5TTdpMammb76NYkV=", secret, webhook.ErrMalformedSignature},
		{"embedded newline", body30012, sig30012[:20] + "\n" + sig30012[20:], secret, webhook.ErrMalformedSignature},
		{"sha256= prefix", body30012, "sha256=" + sig30012, secret, webhook.ErrMalformedSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := webhook.Verify([]byte(tt.body), tt.signature, tt.secret)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
			if err != nil {
				checkNoLeak(t, err, tt.secret, []byte(tt.body))
			}
		})
	}
}

// checkNoLeak fails when err shows the secret or the signature the body
// should have had. Secrets shorter than 8 bytes are not looked for: they
// would match ordinary words of the message.
func checkNoLeak(t *testing.T, err error, secret string, body []byte) {
	t.Helper()
	msg := err.Error()
	want := webhook.Sign(body, secret)
	if len(secret) >= 8 && strings.Contains(msg, secret) {
		t.Errorf("error %q shows the secret", msg)
	}
	if strings.Contains(msg, want) || strings.Contains(msg, strings.TrimRight(want, "=")) {
		t.Errorf("error %q shows the expected signature", msg)
	}
}
