package tokencache

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/pkg/s3store"
	"github.com/recording-sync/recording-sync/pkg/seal"
)

// MaxEntrySize bounds what Load reads: an entry is a few hundred bytes, and
// a larger object is not one this package wrote.
const MaxEntrySize = 64 << 10

// SealPurpose names the key the entry is sealed with (seal.NewKey): derived
// from the PBX client secret, it is used for nothing else.
const SealPurpose = "recording-sync/pbx-token/v1"

// S3API is the part of *s3.Client an S3Store uses.
type S3API interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

var (
	_ S3API = (*s3.Client)(nil)
	_ Store = (*S3Store)(nil)
)

// S3Store is a Store kept in one S3 object, sealed (package seal); its
// versions are ETags.
type S3Store struct {
	client      S3API
	bucket, key string
	seal        *seal.Key
	where       []byte // the additional data of the seal: s3://bucket/key
}

// NewS3Store returns a Store keeping the entry in s3://bucket/key, sealed
// under a key derived from the PBX client secret and bound to that bucket
// and key. The key must be used by nothing else.
func NewS3Store(client S3API, bucket, key, clientSecret string) (*S3Store, error) {
	k, err := seal.NewKey(clientSecret, SealPurpose)
	if err != nil {
		return nil, fmt.Errorf("tokencache: %w", err)
	}
	where := "s3://" + bucket + "/" + key
	return &S3Store{client: client, bucket: bucket, key: key, seal: k, where: []byte(where)}, nil
}

// Load reads the entry and its ETag; a missing object is no entry. An object
// that does not open (sealed under another secret or for another place,
// altered, plaintext from an older release, or too large) is no entry
// either, but keeps its ETag as the version, so that the next Save replaces
// it with If-Match.
func (s *S3Store) Load(ctx context.Context) (Entry, string, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &s.key}, quietChecksums)
	if err != nil {
		if s3store.KindOf(err) == s3store.NoSuchKey {
			return Entry{}, "", nil
		}
		return Entry{}, "", fmt.Errorf("tokencache: load s3://%s/%s: %w", s.bucket, s.key, err)
	}
	defer out.Body.Close()
	etag := aws.ToString(out.ETag)
	if etag == "" {
		return Entry{}, "", fmt.Errorf("tokencache: load s3://%s/%s: no ETag in the answer", s.bucket, s.key)
	}
	raw, err := io.ReadAll(io.LimitReader(out.Body, MaxEntrySize+1))
	if err != nil {
		return Entry{}, "", fmt.Errorf("tokencache: load s3://%s/%s: %w", s.bucket, s.key, err)
	}
	return s.open(raw), etag, nil
}

// open returns the entry sealed in raw, or the zero Entry.
func (s *S3Store) open(raw []byte) Entry {
	if len(raw) > MaxEntrySize {
		return Entry{}
	}
	plain, err := s.seal.Open(raw, s.where)
	if err != nil {
		return Entry{}
	}
	var e Entry
	if err := json.Unmarshal(plain, &e); err != nil {
		return Entry{}
	}
	return e
}

// Save writes e with If-None-Match: * (prev "") or If-Match: prev.
func (s *S3Store) Save(ctx context.Context, e Entry, prev string) (string, error) {
	plain, err := json.Marshal(e)
	if err != nil {
		return "", fmt.Errorf("tokencache: encode entry: %w", err)
	}
	body := s.seal.Seal(plain, s.where)
	in := &s3.PutObjectInput{
		Bucket:        &s.bucket,
		Key:           &s.key,
		Body:          bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
		ContentType:   aws.String("application/octet-stream"),
	}
	if prev == "" {
		in.IfNoneMatch = aws.String("*")
	} else {
		in.IfMatch = aws.String(prev)
	}
	out, err := s.client.PutObject(ctx, in)
	if err != nil {
		if isConflict(err, prev != "") {
			return "", fmt.Errorf("tokencache: save s3://%s/%s: %w", s.bucket, s.key, ErrConflict)
		}
		return "", fmt.Errorf("tokencache: save s3://%s/%s: %w", s.bucket, s.key, err)
	}
	etag := aws.ToString(out.ETag)
	if etag == "" {
		return "", fmt.Errorf("tokencache: save s3://%s/%s: no ETag in the answer", s.bucket, s.key)
	}
	return etag, nil
}

// quietChecksums stops the SDK logging that it skipped a checksum check.
func quietChecksums(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true }

// isConflict reports whether a conditional PutObject failed because the
// object changed: 412 PreconditionFailed, 409 (ConditionalRequestConflict:
// a concurrent conditional write), or, for If-Match, a key that is gone.
func isConflict(err error, replacing bool) bool {
	switch s3store.KindOf(err) {
	case s3store.ConditionFailed:
		return true
	case s3store.NoSuchKey:
		return replacing
	}
	return false
}
