package sealedobj

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/recording-sync/recording-sync/pkg/seal"
)

const (
	secret  = "sealedobj-client-secret-31f0"
	purpose = "recording-sync/sealedobj-test/v1"
	key     = ".recording-sync/value.json"
)

// value is what the tests keep: its field name must never show in the
// object.
type value struct {
	Confidential string `json:"confidential"`
}

func newStore(t *testing.T, client API, bucket, objectKey string) *Store[value] {
	t.Helper()
	s, err := New[value](client, bucket, objectKey, secret, purpose, 1<<10)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// putRaw stores raw at s3://bucket/objectKey, as anyone who may write to
// the bucket can, and returns its ETag.
func putRaw(t *testing.T, client *s3.Client, bucket, objectKey string, raw []byte) string {
	t.Helper()
	out, err := client.PutObject(t.Context(), &s3.PutObjectInput{Bucket: &bucket, Key: &objectKey, Body: bytes.NewReader(raw)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.ETag)
}

// TestSealedAndBound: the object shows nothing of the value, opens with the
// key derived for the purpose and its own bucket and key as additional
// data, and its bytes copied to another key of the bucket, or to the same
// key of another bucket, are read as no value at their version.
func TestSealedAndBound(t *testing.T) {
	client := server.Client(t)
	bucket := server.NewBucket(t)
	s := newStore(t, client, bucket, key)
	if _, err := s.Save(t.Context(), value{Confidential: "kept-private"}, ""); err != nil {
		t.Fatal(err)
	}
	raw := server.Object(t, bucket, key)
	if bytes.Contains(raw, []byte("confidential")) || bytes.Contains(raw, []byte("kept-private")) || raw[0] != seal.Version {
		t.Fatalf("the object is readable: %q", raw)
	}
	k, err := seal.NewKey(secret, purpose)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := k.Open(raw, []byte("s3://"+bucket+"/"+key))
	if err != nil || !bytes.Contains(plain, []byte(`"kept-private"`)) {
		t.Fatalf("the object does not open with its key and place: %q, %v", plain, err)
	}
	other := server.NewBucket(t)
	for name, place := range map[string]struct{ bucket, key string }{
		"another key":    {bucket, "elsewhere/value.json"},
		"another bucket": {other, key},
	} {
		version := putRaw(t, client, place.bucket, place.key, raw)
		got, v, err := newStore(t, client, place.bucket, place.key).Load(t.Context())
		if err != nil || v != version || got != (value{}) {
			t.Errorf("%s: Load = %+v, %q, %v; want no value at version %q", name, got, v, err, version)
		}
	}
}

// TestLoadAndSave: a missing object is no value and no version; what the
// store did not write is no value at its version, which a create refuses
// and a replace on that version overwrites.
func TestLoadAndSave(t *testing.T) {
	client := server.Client(t)
	k, err := seal.NewKey(secret, purpose)
	if err != nil {
		t.Fatal(err)
	}
	sealedJSON := func(bucket, plain string) []byte { return k.Seal([]byte(plain), AdditionalData(bucket, key)) }
	tests := []struct {
		name string
		body func(bucket string) []byte // nil: no object
	}{
		{"absent", func(string) []byte { return nil }},
		{"plaintext", func(string) []byte { return []byte(`{"confidential":"planted"}`) }},
		{"sealed, not JSON", func(b string) []byte { return sealedJSON(b, "\x00garbage") }},
		{"sealed, another shape", func(b string) []byte { return sealedJSON(b, `{"confidential":7}`) }},
		{"too large", func(b string) []byte {
			return sealedJSON(b, `{"confidential":"`+string(bytes.Repeat([]byte("x"), 1<<10))+`"}`)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bucket := server.NewBucket(t)
			s := newStore(t, client, bucket, key)
			version := ""
			if body := tt.body(bucket); body != nil {
				version = putRaw(t, client, bucket, key, body)
			}
			got, v, err := s.Load(t.Context())
			if err != nil || v != version || got != (value{}) {
				t.Fatalf("Load = %+v, %q, %v; want no value at version %q", got, v, err, version)
			}
			if version != "" {
				if _, err := s.Save(t.Context(), value{"new"}, ""); !errors.Is(err, ErrConflict) {
					t.Errorf("create over the object = %v, want ErrConflict", err)
				}
			}
			saved, err := s.Save(t.Context(), value{"new"}, version)
			if err != nil {
				t.Fatalf("Save on version %q: %v", version, err)
			}
			if got, v, err := s.Load(t.Context()); err != nil || v != saved || got.Confidential != "new" {
				t.Errorf("after Save: %+v, %q, %v; want the value at %q", got, v, err, saved)
			}
			if _, err := s.Save(t.Context(), value{"stale"}, `"stale"`); !errors.Is(err, ErrConflict) {
				t.Errorf("Save on a made-up version = %v, want ErrConflict", err)
			}
		})
	}
	t.Run("missing bucket is an error, not absent", func(t *testing.T) {
		s := newStore(t, client, "sealedobj-no-such-bucket", key)
		if _, _, err := s.Load(t.Context()); err == nil || errors.Is(err, ErrConflict) {
			t.Fatalf("Load from a missing bucket = %v, want an error", err)
		}
	})
}

// TestIsConflict covers answers the local server does not give.
func TestIsConflict(t *testing.T) {
	tests := []struct {
		status          int
		code            string
		replacing, want bool
	}{
		{http.StatusPreconditionFailed, "PreconditionFailed", false, true},
		{http.StatusConflict, "ConditionalRequestConflict", true, true},
		{http.StatusConflict, "OperationAborted", true, true},
		{http.StatusNotFound, "NoSuchKey", true, true},
		{http.StatusNotFound, "NoSuchKey", false, false},
		{http.StatusNotFound, "NoSuchBucket", true, false},
		{http.StatusForbidden, "AccessDenied", true, false},
		{http.StatusInternalServerError, "InternalError", false, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d %s replacing=%v", tt.status, tt.code, tt.replacing), func(t *testing.T) {
			err := &smithy.OperationError{ServiceID: "S3", OperationName: "PutObject", Err: &awshttp.ResponseError{
				ResponseError: &smithyhttp.ResponseError{
					Response: &smithyhttp.Response{Response: &http.Response{StatusCode: tt.status}},
					Err:      &smithy.GenericAPIError{Code: tt.code},
				},
			}}
			if got := isConflict(err, tt.replacing); got != tt.want {
				t.Errorf("isConflict = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestLoadStrictSaysWhy: an object that does not open is an
// *UnreadableError at its version, with a reason per cause that shows none
// of the object's bytes; Load reads the same object as no value, and an
// object that opens is no error.
func TestLoadStrictSaysWhy(t *testing.T) {
	client := server.Client(t)
	k, err := seal.NewKey(secret, purpose)
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := seal.NewKey("rotated-client-secret-77aa", purpose)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, reason string
		body         func(bucket string) []byte
	}{
		{"plaintext", "not a sealed object", func(string) []byte { return []byte(`{"confidential":"planted"}`) }},
		{"rotated secret", "rotated", func(b string) []byte { return rotated.Seal([]byte(`{"confidential":"old"}`), AdditionalData(b, key)) }},
		{"another shape", "not a value", func(b string) []byte { return k.Seal([]byte(`{"confidential":7}`), AdditionalData(b, key)) }},
		{"too large", "larger than 1024 bytes", func(string) []byte { return bytes.Repeat([]byte("q"), 2<<10) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bucket := server.NewBucket(t)
			version := putRaw(t, client, bucket, key, tt.body(bucket))
			s := newStore(t, client, bucket, key)
			got, v, err := s.LoadStrict(t.Context())
			var unreadable *UnreadableError
			if !errors.As(err, &unreadable) || v != version || unreadable.Version != version || got != (value{}) {
				t.Fatalf("LoadStrict = %+v, %q, %v; want an UnreadableError at %q", got, v, err, version)
			}
			if !strings.Contains(unreadable.Reason, tt.reason) || strings.Contains(err.Error(), "planted") || strings.Contains(err.Error(), "qqqq") {
				t.Errorf("reason %q, want one naming %q and none of the bytes", err, tt.reason)
			}
			if got, v, err := s.Load(t.Context()); err != nil || v != version || got != (value{}) {
				t.Errorf("Load = %+v, %q, %v; want no value at %q", got, v, err, version)
			}
		})
	}
	s := newStore(t, client, server.NewBucket(t), key)
	if _, err := s.Save(t.Context(), value{"kept"}, ""); err != nil {
		t.Fatal(err)
	}
	if got, _, err := s.LoadStrict(t.Context()); err != nil || got.Confidential != "kept" {
		t.Errorf("LoadStrict of its own object = %+v, %v", got, err)
	}
}
