package tokencache

import (
	"github.com/recording-sync/recording-sync/pkg/sealedobj"
)

// MaxEntrySize bounds what Load reads: an entry is a few hundred bytes, and
// a larger object is not one this package wrote.
const MaxEntrySize = 64 << 10

// SealPurpose names the key the entry is sealed with (seal.NewKey): derived
// from the PBX client secret, it is used for nothing else.
const SealPurpose = "recording-sync/pbx-token/v1"

// S3API is the part of *s3.Client an S3Store uses.
type S3API = sealedobj.API

// S3Store is a Store kept in one sealed S3 object (package sealedobj); its
// versions are ETags. An object that does not open (sealed under another
// secret or for another place, altered, plaintext from an older release,
// or too large) is no entry, at its version, so that the next Save
// replaces it with If-Match.
type S3Store = sealedobj.Store[Entry]

var _ Store = (*S3Store)(nil)

// NewS3Store returns a Store keeping the entry in s3://bucket/key, sealed
// under a key derived from the PBX client secret and bound to that bucket
// and key.
func NewS3Store(client S3API, bucket, key, clientSecret string) (*S3Store, error) {
	return sealedobj.New[Entry](client, bucket, key, clientSecret, SealPurpose, MaxEntrySize)
}
