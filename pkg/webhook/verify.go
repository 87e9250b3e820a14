package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Header is the request header that carries the signature.
const Header = "X-Signature"

// The reasons Verify refuses a request. Receivers answer 401 for all but
// ErrNoSecret, which is their own misconfiguration.
var (
	ErrNoSecret           = errors.New("webhook: no secret configured")
	ErrMissingSignature   = errors.New("webhook: no " + Header + " header")
	ErrMalformedSignature = errors.New("webhook: " + Header + " is not a base64 HMAC-SHA256")
	ErrBadSignature       = errors.New("webhook: " + Header + " does not match the body")
)

// strict decodings: a signature has exactly one spelling per MAC, so a
// changed character never decodes to the same bytes (non-zero trailing
// bits are refused, as is the missing padding of a padded form).
var (
	padded   = base64.StdEncoding.Strict()
	unpadded = base64.RawStdEncoding.Strict()
)

// Sign returns the X-Signature value of body: base64(HMAC-SHA256(body, secret)).
func Sign(body []byte, secret string) string {
	return padded.EncodeToString(mac(body, secret))
}

// Verify checks that signature, an X-Signature value, is the HMAC-SHA256 of
// the raw body under secret, in constant time. The padded and unpadded
// standard base64 forms are accepted. Errors wrap one of the Err values
// above and never contain the secret or the expected signature.
func Verify(body []byte, signature, secret string) error {
	if secret == "" {
		return ErrNoSecret
	}
	if signature == "" {
		return ErrMissingSignature
	}
	got, err := decode(signature)
	if err != nil {
		return err
	}
	if !hmac.Equal(got, mac(body, secret)) {
		return ErrBadSignature
	}
	return nil
}

// decode turns a signature into MAC bytes, refusing anything but one
// base64 spelling of 32 bytes.
func decode(signature string) ([]byte, error) {
	// The decoders skip CR and LF; a signature has none.
	if strings.ContainsAny(signature, "\r\n") {
		return nil, fmt.Errorf("%w: contains a line break", ErrMalformedSignature)
	}
	enc := unpadded
	if strings.HasSuffix(signature, "=") {
		enc = padded
	}
	got, err := enc.DecodeString(signature)
	if err != nil {
		return nil, fmt.Errorf("%w: invalid base64", ErrMalformedSignature)
	}
	if len(got) != sha256.Size {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrMalformedSignature, len(got), sha256.Size)
	}
	return got, nil
}

func mac(body []byte, secret string) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write(body)
	return h.Sum(nil)
}
