package reconcile

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// DefaultStateKey is where the state lives by default, beside the shared
// PBX token (config.DefaultTokenCacheKey), outside the recordings' prefix.
const DefaultStateKey = ".recording-sync/reconcile-state.json"

// maxStateSize bounds what Load reads: MaxQueued entries take far less.
const maxStateSize = 8 << 20

// ErrConflict is a Save whose condition failed: another run wrote first.
var ErrConflict = errors.New("reconcile: state changed concurrently")

// Codec turns the state's JSON into the object's bytes and back. The
// deployed functions seal it (authenticated encryption bound to the
// object's bucket and key), so that a reader of the bucket learns nothing
// from it and a writer cannot steer the reconciler with it.
type Codec interface {
	Seal(plain []byte) ([]byte, error)
	Open(sealed []byte) ([]byte, error)
}

// PlainJSON is the Codec that stores the JSON as it is.
type PlainJSON struct{}

// Seal returns plain.
func (PlainJSON) Seal(plain []byte) ([]byte, error) { return plain, nil }

// Open returns sealed.
func (PlainJSON) Open(sealed []byte) ([]byte, error) { return sealed, nil }

// ObjectAPI is the part of *s3.Client the state store uses.
type ObjectAPI interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

var _ ObjectAPI = (*s3.Client)(nil)

// S3StateStore keeps the State in one object; its versions are ETags and
// every write is conditional (If-None-Match: * or If-Match), like the
// shared token's.
type S3StateStore struct {
	client      ObjectAPI
	bucket, key string
	codec       Codec
}

// NewS3StateStore keeps the state in s3://bucket/key through codec (nil:
// PlainJSON).
func NewS3StateStore(client ObjectAPI, bucket, key string, codec Codec) *S3StateStore {
	if codec == nil {
		codec = PlainJSON{}
	}
	return &S3StateStore{client: client, bucket: bucket, key: key, codec: codec}
}

// Load reads the state and its ETag; a missing object is the empty state
// with version "". An object that does not open (sealed under a rotated
// PBX client secret or for another place, altered, too large, not a state)
// is the empty state too, but keeps its ETag as the version, so that the
// next Save replaces it with If-Match: losing the state costs at worst
// some duplicate messages (a HEAD each in the copy function), while
// refusing it would stop every run.
func (s *S3StateStore) Load(ctx context.Context) (State, string, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &s.key}, quietChecksums)
	if err != nil {
		if errorCode(err) == "NoSuchKey" {
			return State{}, "", nil
		}
		return State{}, "", fmt.Errorf("load state s3://%s/%s: %w", s.bucket, s.key, err)
	}
	defer out.Body.Close()
	etag := aws.ToString(out.ETag)
	if etag == "" {
		return State{}, "", fmt.Errorf("load state s3://%s/%s: no ETag in the answer", s.bucket, s.key)
	}
	raw, err := io.ReadAll(io.LimitReader(out.Body, maxStateSize+1))
	if err != nil {
		return State{}, "", fmt.Errorf("load state s3://%s/%s: %w", s.bucket, s.key, err)
	}
	return s.open(raw), etag, nil
}

// open returns the state in raw, or the empty state when raw is not one
// this store wrote.
func (s *S3StateStore) open(raw []byte) State {
	if len(raw) > maxStateSize {
		return State{}
	}
	plain, err := s.codec.Open(raw)
	if err != nil {
		return State{}
	}
	var st State
	if err := json.Unmarshal(plain, &st); err != nil || len(st.Cursors) > MaxCursors {
		return State{}
	}
	return st
}

// Save writes st if the object is still at version prev ("" = absent).
func (s *S3StateStore) Save(ctx context.Context, st State, prev string) (string, error) {
	plain, err := json.Marshal(st)
	if err != nil {
		return "", fmt.Errorf("encode state: %w", err)
	}
	body, err := s.codec.Seal(plain)
	if err != nil {
		return "", fmt.Errorf("seal state: %w", err)
	}
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
		return "", fmt.Errorf("save state s3://%s/%s: %w", s.bucket, s.key, ErrConflict)
	case err != nil:
		return "", fmt.Errorf("save state s3://%s/%s: %w", s.bucket, s.key, err)
	case out.ETag == nil || *out.ETag == "":
		return "", fmt.Errorf("save state s3://%s/%s: no ETag in the answer", s.bucket, s.key)
	}
	return *out.ETag, nil
}

// quietChecksums stops the SDK logging that it skipped a checksum check.
func quietChecksums(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true }

// isConflict reports whether a conditional PutObject failed because the
// object changed: 412, 409 (a concurrent conditional write), or, for
// If-Match, a key that is gone.
func isConflict(err error, replacing bool) bool {
	switch errorCode(err) {
	case "PreconditionFailed", "ConditionalRequestConflict":
		return true
	case "NoSuchKey":
		return replacing
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		switch re.HTTPStatusCode() {
		case http.StatusPreconditionFailed, http.StatusConflict:
			return true
		}
	}
	return false
}

// errorCode returns the S3 error code carried by err, or "".
func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// StatePurpose is the seal purpose of the reconciler's state: its key is
// derived from the PBX client secret for this purpose only.
const StatePurpose = "recording-sync/reconcile-state/v1"

// Sealer seals and opens bytes bound to additional data (a *seal.Key).
type Sealer interface {
	Seal(plaintext, ad []byte) []byte
	Open(sealed, ad []byte) ([]byte, error)
}

// SealedJSON is the Codec of the deployed functions: the JSON sealed with
// key, bound to s3://bucket/key, so that the object moved elsewhere no
// longer opens.
func SealedJSON(key Sealer, bucket, objectKey string) Codec {
	return sealed{key: key, ad: []byte("s3://" + bucket + "/" + objectKey)}
}

type sealed struct {
	key Sealer
	ad  []byte
}

func (s sealed) Seal(plain []byte) ([]byte, error) { return s.key.Seal(plain, s.ad), nil }
func (s sealed) Open(b []byte) ([]byte, error)     { return s.key.Open(b, s.ad) }
