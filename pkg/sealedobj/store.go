package sealedobj

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/pkg/s3store"
	"github.com/recording-sync/recording-sync/pkg/seal"
)

// ErrConflict is a Save whose condition failed: another writer was first.
var ErrConflict = errors.New("changed concurrently: another writer was first")

// API is the part of *s3.Client a Store uses.
type API interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

var _ API = (*s3.Client)(nil)

// Store keeps a value of type T in the sealed object s3://bucket/key. It is
// safe for concurrent use.
type Store[T any] struct {
	client      API
	bucket, key string
	seal        *seal.Key
	ad          []byte // the additional data of the seal: s3://bucket/key
	maxSize     int
}

// New returns the Store of s3://bucket/key, sealed under the key derived
// from secret for purpose (seal.NewKey), which must be used for nothing
// else. Load treats an object larger than maxSize bytes as one it did not
// write.
func New[T any](client API, bucket, key, secret, purpose string, maxSize int) (*Store[T], error) {
	k, err := seal.NewKey(secret, purpose)
	if err != nil {
		return nil, fmt.Errorf("s3://%s/%s: %w", bucket, key, err)
	}
	return &Store[T]{client: client, bucket: bucket, key: key, seal: k, ad: AdditionalData(bucket, key), maxSize: maxSize}, nil
}

// AdditionalData is what binds a sealed object to where it is stored.
func AdditionalData(bucket, key string) []byte { return []byte("s3://" + bucket + "/" + key) }

// Load reads the value and its version. A missing object is the zero value
// with version "". An object that does not open or decode is the zero value
// with the object's version, so that the next Save replaces it.
func (s *Store[T]) Load(ctx context.Context) (T, string, error) {
	v, version, err := s.LoadStrict(ctx)
	var unreadable *UnreadableError
	if errors.As(err, &unreadable) {
		return v, version, nil
	}
	return v, version, err
}

// UnreadableError is an object that exists but did not open: sealed under
// another secret or for another place, altered, too large, or not the
// value's JSON. Version is the object's, for the Save that replaces it.
// Reason says which, and never holds the object's bytes.
type UnreadableError struct {
	Bucket, Key, Version, Reason string
}

func (e *UnreadableError) Error() string {
	return fmt.Sprintf("s3://%s/%s does not open: %s", e.Bucket, e.Key, e.Reason)
}

// LoadStrict is Load for a caller that must say when an object did not
// open: it returns the zero value, the object's version and an
// *UnreadableError.
func (s *Store[T]) LoadStrict(ctx context.Context) (T, string, error) {
	var zero T
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &s.key}, quietChecksums)
	if s3store.KindOf(err) == s3store.NoSuchKey {
		return zero, "", nil
	}
	if err != nil {
		return zero, "", fmt.Errorf("load s3://%s/%s: %w", s.bucket, s.key, err)
	}
	defer out.Body.Close()
	etag := aws.ToString(out.ETag)
	if etag == "" {
		return zero, "", fmt.Errorf("load s3://%s/%s: no ETag in the answer", s.bucket, s.key)
	}
	raw, err := io.ReadAll(io.LimitReader(out.Body, int64(s.maxSize)+1))
	if err != nil {
		return zero, "", fmt.Errorf("load s3://%s/%s: %w", s.bucket, s.key, err)
	}
	v, reason := s.open(raw)
	if reason != "" {
		return zero, etag, &UnreadableError{Bucket: s.bucket, Key: s.key, Version: etag, Reason: reason}
	}
	return v, etag, nil
}

// open returns the value sealed in raw, or the zero value and why raw is
// not one this store wrote.
func (s *Store[T]) open(raw []byte) (T, string) {
	var v T
	if len(raw) > s.maxSize {
		return v, fmt.Sprintf("larger than %d bytes", s.maxSize)
	}
	if len(raw) < seal.Overhead || raw[0] != seal.Version {
		return v, "not a sealed object"
	}
	plain, err := s.seal.Open(raw, s.ad)
	if err != nil {
		// Authentication cannot tell a rotated secret from an altered
		// or moved object.
		return v, "not sealed under the current client secret for this place (the secret was rotated, or the object was altered or copied)"
	}
	if err := json.Unmarshal(plain, &v); err != nil {
		var zero T
		return zero, "sealed, but not a value: " + err.Error()
	}
	return v, ""
}

// Save writes v if the object is still at version prev, or, with prev "",
// only if there is no object. It returns the new version, or an error
// matching ErrConflict when the condition failed.
func (s *Store[T]) Save(ctx context.Context, v T, prev string) (string, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("save s3://%s/%s: encode: %w", s.bucket, s.key, err)
	}
	body := s.seal.Seal(plain, s.ad)
	in := &s3.PutObjectInput{
		Bucket: &s.bucket, Key: &s.key, Body: bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))), ContentType: aws.String("application/octet-stream"),
	}
	if prev == "" {
		in.IfNoneMatch = aws.String("*")
	} else {
		in.IfMatch = aws.String(prev)
	}
	out, err := s.client.PutObject(ctx, in)
	switch {
	case err != nil && isConflict(err, prev != ""):
		return "", fmt.Errorf("save s3://%s/%s: %w", s.bucket, s.key, ErrConflict)
	case err != nil:
		return "", fmt.Errorf("save s3://%s/%s: %w", s.bucket, s.key, err)
	case aws.ToString(out.ETag) == "":
		return "", fmt.Errorf("save s3://%s/%s: no ETag in the answer", s.bucket, s.key)
	}
	return *out.ETag, nil
}

// quietChecksums stops the SDK logging that it skipped a checksum check.
func quietChecksums(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true }

// isConflict reports whether a conditional PutObject failed because the
// object changed: a failed condition (412, or a 409 from a concurrent
// conditional write), or, for If-Match, a key that is gone.
func isConflict(err error, replacing bool) bool {
	switch s3store.KindOf(err) {
	case s3store.ConditionFailed:
		return true
	case s3store.NoSuchKey:
		return replacing
	}
	return false
}
