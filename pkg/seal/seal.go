// Package seal encrypts and authenticates the small objects the functions
// keep in the recordings bucket (the shared PBX token, the reconciler's
// state), so that someone who can read the bucket learns nothing from them
// and someone who can write to it cannot forge them.
//
// A Key is derived from a secret the function already holds (the PBX client
// secret) with HKDF-SHA256, using a purpose string as HKDF's info: each kind
// of object gets its own key, and nothing new has to be provisioned. Sealing
// is AES-256-GCM with a random 96-bit nonce. Additional data binds a sealed
// object to where it is stored (e.g. "s3://bucket/key"): copied to another
// key or bucket, it no longer opens.
//
// The format of a sealed object is
//
//	version (1 byte, 0x01) || nonce (12 bytes) || ciphertext || GCM tag (16 bytes)
//
// and the version byte is authenticated too (it is part of GCM's additional
// data, before the caller's). Open fails with ErrOpen, saying nothing more,
// for every object it cannot authenticate: another key (the secret rotated),
// altered bytes, another place, another version, or plaintext.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
)

// Version is the first byte of every sealed object.
const Version byte = 1

// Overhead is how many bytes Seal adds to the plaintext.
const Overhead = 1 + nonceSize + tagSize

const (
	keySize   = 32 // AES-256
	nonceSize = 12
	tagSize   = 16
)

// ErrOpen is returned by Open for anything it cannot authenticate.
var ErrOpen = errors.New("seal: object does not open under this key (other secret, altered, moved, or not sealed)")

// Key seals and opens objects of one purpose. It is safe for concurrent use.
type Key struct {
	aead cipher.AEAD
}

// NewKey derives the key for purpose from secret with HKDF-SHA256 (no salt,
// info = purpose). The purpose names what is sealed, e.g.
// "recording-sync/pbx-token/v1"; two purposes never share a key.
func NewKey(secret, purpose string) (*Key, error) {
	if secret == "" || purpose == "" {
		return nil, errors.New("seal: a secret and a purpose are required")
	}
	k, err := hkdf.Key(sha256.New, []byte(secret), nil, purpose, keySize)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, err
	}
	return &Key{aead: aead}, nil
}

// Seal returns plaintext encrypted and authenticated, bound to ad.
func (k *Key) Seal(plaintext, ad []byte) []byte {
	out := make([]byte, 1, Overhead+len(plaintext))
	out[0] = Version
	// A nil nonce: the AEAD draws a random one and prepends it.
	return k.aead.Seal(out, nil, plaintext, additional(ad)) //nolint:gosec // G407 misreads NewGCMWithRandomNonce
}

// Open returns the plaintext of sealed if it was sealed by this key with
// the same ad, else ErrOpen.
func (k *Key) Open(sealed, ad []byte) ([]byte, error) {
	if len(sealed) < Overhead || sealed[0] != Version {
		return nil, ErrOpen
	}
	plain, err := k.aead.Open(nil, nil, sealed[1:], additional(ad))
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}

// additional is GCM's additional data: the version byte, then ad.
func additional(ad []byte) []byte {
	return append([]byte{Version}, ad...)
}
