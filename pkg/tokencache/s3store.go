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
)

// MaxEntrySize bounds what Load reads: an entry is a few hundred bytes, and
// a larger object is not one this package wrote.
const MaxEntrySize = 64 << 10

// S3API is the part of *s3.Client an S3Store uses.
type S3API interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

var (
	_ S3API = (*s3.Client)(nil)
	_ Store = (*S3Store)(nil)
)

// S3Store is a Store kept in one S3 object; its versions are ETags.
type S3Store struct {
	client      S3API
	bucket, key string
}

// NewS3Store returns a Store keeping the entry in s3://bucket/key. The key
// must be used by nothing else; the object holds access and refresh tokens,
// so the bucket must not be readable by anyone who may not call the PBX.
func NewS3Store(client S3API, bucket, key string) *S3Store {
	return &S3Store{client: client, bucket: bucket, key: key}
}

// Load reads the entry and its ETag; a missing object is no entry.
func (s *S3Store) Load(ctx context.Context) (Entry, string, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &s.key}, quietChecksums)
	if err != nil {
		if s3store.KindOf(err) == s3store.NoSuchKey {
			return Entry{}, "", nil
		}
		return Entry{}, "", fmt.Errorf("tokencache: load s3://%s/%s: %w", s.bucket, s.key, err)
	}
	defer out.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(out.Body, MaxEntrySize+1))
	if err != nil {
		return Entry{}, "", fmt.Errorf("tokencache: load s3://%s/%s: %w", s.bucket, s.key, err)
	}
	if len(raw) > MaxEntrySize {
		return Entry{}, "", fmt.Errorf("tokencache: load s3://%s/%s: object larger than %d bytes is not a token entry", s.bucket, s.key, MaxEntrySize)
	}
	var e Entry
	if err := json.Unmarshal(raw, &e); err != nil {
		// Not err itself: a syntax error may quote part of the object.
		return Entry{}, "", fmt.Errorf("tokencache: load s3://%s/%s: object is not a token entry (%T)", s.bucket, s.key, err)
	}
	etag := aws.ToString(out.ETag)
	if etag == "" {
		return Entry{}, "", fmt.Errorf("tokencache: load s3://%s/%s: no ETag in the answer", s.bucket, s.key)
	}
	return e, etag, nil
}

// Save writes e with If-None-Match: * (prev "") or If-Match: prev.
func (s *S3Store) Save(ctx context.Context, e Entry, prev string) (string, error) {
	body, err := json.Marshal(e)
	if err != nil {
		return "", fmt.Errorf("tokencache: encode entry: %w", err)
	}
	in := &s3.PutObjectInput{
		Bucket:        &s.bucket,
		Key:           &s.key,
		Body:          bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
		ContentType:   aws.String("application/json"),
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
