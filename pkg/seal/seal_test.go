package seal_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/seal"
)

const (
	secret  = "client-secret-0123456789"
	purpose = "test/v1"
)

var (
	plain = []byte(`{"token":"value"}`)
	here  = []byte("s3://bucket/key")
)

func mustKey(t *testing.T, secret, purpose string) *seal.Key {
	t.Helper()
	k, err := seal.NewKey(secret, purpose)
	if err != nil {
		t.Fatalf("NewKey: %v", err)
	}
	return k
}

func TestRoundTrip(t *testing.T) {
	k := mustKey(t, secret, purpose)
	sealed := k.Seal(plain, here)
	if len(sealed) != len(plain)+seal.Overhead || sealed[0] != seal.Version {
		t.Fatalf("sealed is %d bytes starting %#x, want %d starting %#x", len(sealed), sealed[0], len(plain)+seal.Overhead, seal.Version)
	}
	if bytes.Contains(sealed, plain) || bytes.Contains(sealed, []byte("value")) {
		t.Fatal("the sealed object shows its plaintext")
	}
	if again := k.Seal(plain, here); bytes.Equal(again, sealed) {
		t.Error("two seals of one plaintext are equal: the nonce is not random")
	}
	// Another Key from the same secret and purpose opens it: the key is
	// derived, not random.
	got, err := mustKey(t, secret, purpose).Open(sealed, here)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Open = %q, %v; want the plaintext", got, err)
	}
}

// TestFormat: the documented layout, checked by opening with the standard
// library's GCM under a key derived as documented.
func TestFormat(t *testing.T) {
	sealed := mustKey(t, secret, purpose).Seal(plain, here)
	key, err := hkdf.Key(sha256.New, []byte(secret), nil, purpose, 32)
	if err != nil {
		t.Fatal(err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	nonce, ct := sealed[1:13], sealed[13:]
	got, err := gcm.Open(nil, nonce, ct, append([]byte{seal.Version}, here...))
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("version || nonce || ciphertext || tag does not open as documented: %q, %v", got, err)
	}
}

func TestOpenRefuses(t *testing.T) {
	k := mustKey(t, secret, purpose)
	sealed := k.Seal(plain, here)
	flip := func(i int) []byte {
		b := bytes.Clone(sealed)
		b[i] ^= 1
		return b
	}
	tests := []struct {
		name   string
		key    *seal.Key
		sealed []byte
		ad     []byte
	}{
		{"another secret (rotated)", mustKey(t, "another-secret-987654", purpose), sealed, here},
		{"another purpose", mustKey(t, secret, "other/v1"), sealed, here},
		{"another place", k, sealed, []byte("s3://bucket/other-key")},
		{"another bucket", k, sealed, []byte("s3://other-bucket/key")},
		{"altered version", k, flip(0), here},
		{"altered nonce", k, flip(1), here},
		{"altered ciphertext", k, flip(14), here},
		{"altered tag", k, flip(len(sealed) - 1), here},
		{"truncated", k, sealed[:len(sealed)-1], here},
		{"plaintext JSON", k, plain, here},
		{"empty", k, nil, here},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.key.Open(tt.sealed, tt.ad)
			if !errors.Is(err, seal.ErrOpen) || got != nil {
				t.Fatalf("Open = %q, %v; want nil, ErrOpen", got, err)
			}
		})
	}
}

func TestNewKeyNeedsSecretAndPurpose(t *testing.T) {
	for _, c := range [][2]string{{"", purpose}, {secret, ""}} {
		if _, err := seal.NewKey(c[0], c[1]); err == nil {
			t.Errorf("NewKey(%q, %q) succeeded", c[0], c[1])
		}
	}
}
