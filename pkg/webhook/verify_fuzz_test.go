package webhook_test

import (
	"errors"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/webhook"
)

// FuzzVerify checks, for any body and secret, that Sign's signature
// verifies, and that flipping any one bit of the signature, the body or the
// secret makes Verify refuse it, without the secret in the error.
func FuzzVerify(f *testing.F) {
	f.Add([]byte(body30012), secret, uint16(0))
	f.Add([]byte(""), secret, uint16(263))
	f.Add([]byte(rfc4231Body), "Jefe", uint16(351))
	f.Add([]byte("x"), "k\x00", uint16(7))
	f.Fuzz(func(t *testing.T, body []byte, secret string, bit uint16) {
		if secret == "" {
			if !errors.Is(webhook.Verify(body, webhook.Sign(body, secret), secret), webhook.ErrNoSecret) {
				t.Fatal("an empty secret was accepted")
			}
			return
		}
		sig := webhook.Sign(body, secret)
		if err := webhook.Verify(body, sig, secret); err != nil {
			t.Fatalf("Verify(Sign(body)) = %v", err)
		}

		// One bit of the signature's text.
		bad := []byte(sig)
		i := int(bit) % (len(bad) * 8)
		bad[i/8] ^= 1 << (i % 8)
		err := webhook.Verify(body, string(bad), secret)
		if err == nil {
			t.Fatalf("signature %q with bit %d flipped (%q) verified", sig, i, bad)
		}
		checkNoLeak(t, err, secret, body)
		// The message cannot depend on the secret at all.
		if other := webhook.Verify(body, string(bad), secret+"x"); other == nil || other.Error() != err.Error() {
			t.Fatalf("errors differ by secret: %v / %v", err, other)
		}

		// One bit of the body.
		if len(body) > 0 {
			tampered := append([]byte(nil), body...)
			j := int(bit) % (len(body) * 8)
			tampered[j/8] ^= 1 << (j % 8)
			err := webhook.Verify(tampered, sig, secret)
			if !errors.Is(err, webhook.ErrBadSignature) {
				t.Fatalf("body with bit %d flipped: Verify = %v, want ErrBadSignature", j, err)
			}
			checkNoLeak(t, err, secret, tampered)
		}

		// One bit of the secret.
		other := []byte(secret)
		k := int(bit) % (len(other) * 8)
		other[k/8] ^= 1 << (k % 8)
		if err := webhook.Verify(body, sig, string(other)); !errors.Is(err, webhook.ErrBadSignature) {
			t.Fatalf("secret with bit %d flipped: Verify = %v, want ErrBadSignature", k, err)
		}
	})
}
