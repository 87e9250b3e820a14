package s3store

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/recording-sync/recording-sync/internal/localenv"
)

// clientWith returns a client for the shared S3 server, changed by change.
func clientWith(t *testing.T, change func(o *s3.Options)) *s3.Client {
	t.Helper()
	opts := s3Client(t).Options()
	opts.RetryMaxAttempts = 1 // the answer, not the retryer, is under test
	change(&opts)
	return s3.New(opts)
}

// TestKindRealServer classifies the answers of a real S3 server, as the SDK
// decodes them. (An unknown access key is TestKindAnswers': the local
// server answers it with a code of its own, not S3's InvalidAccessKeyId.)
func TestKindRealServer(t *testing.T) {
	t.Parallel()
	bucket := newBucket(t)
	good := clientWith(t, func(*s3.Options) {})
	if _, err := good.PutObject(t.Context(), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("there"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	wrongSecret := clientWith(t, func(o *s3.Options) {
		o.Credentials = credentials.NewStaticCredentialsProvider(localenv.S3AccessKey, "not-the-secret-key", "")
	})
	get := func(c *s3.Client, bucket, key string) error {
		out, err := c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: &bucket, Key: &key})
		if err == nil {
			out.Body.Close()
		}
		return err
	}
	head := func(c *s3.Client, bucket, key string) error {
		_, err := c.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
		return err
	}
	exists := func(c *s3.Client, bucket, key string) error {
		_, _, err := New(c, nil).Exists(t.Context(), bucket, key)
		return err
	}
	put := func(c *s3.Client, bucket, key string) error {
		_, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader("y"), IfNoneMatch: aws.String("*")})
		return err
	}
	tests := []struct {
		name     string
		err      error
		want     Kind
		wantCode string // the S3 error code the SDK decoded; "" to skip
	}{
		{"GetObject, missing bucket", get(good, "no-such-bucket-kind", "k"), NoSuchBucket, "NoSuchBucket"},
		{"PutObject, missing bucket", put(good, "no-such-bucket-kind", "k"), NoSuchBucket, "NoSuchBucket"},
		{"GetObject, missing key", get(good, bucket, "absent"), NoSuchKey, "NoSuchKey"},
		{"GetObject, wrong secret", get(wrongSecret, bucket, "there"), AccessDenied, "SignatureDoesNotMatch"},
		{"PutObject, wrong secret", put(wrongSecret, bucket, "new"), AccessDenied, "SignatureDoesNotMatch"},
		{"HeadObject, wrong secret (bodiless 403)", head(wrongSecret, bucket, "there"), AccessDenied, ""},
		{"HeadObject, missing key (bodiless 404)", head(good, bucket, "absent"), NoSuchKey, ""},
		{"Store.Exists, wrong secret", exists(wrongSecret, bucket, "absent"), AccessDenied, ""},
		{"Store.Exists, missing bucket", exists(good, "no-such-bucket-kind", "k"), NoSuchBucket, ""},
		{"PutObject If-None-Match on an existing key", put(good, bucket, "there"), ConditionFailed, ""},
		{"success", get(good, bucket, "there"), Other, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := KindOf(tt.err); got != tt.want {
				t.Errorf("KindOf(%v) = %v, want %v", tt.err, got, tt.want)
			}
			if got := KindOf(fmt.Errorf("wrapped: %w", tt.err)); got != tt.want {
				t.Errorf("Kind of the wrapped error = %v, want %v", got, tt.want)
			}
			var apiErr smithy.APIError
			if tt.wantCode != "" && (!errors.As(tt.err, &apiErr) || apiErr.ErrorCode() != tt.wantCode) {
				t.Errorf("error %v, want S3 code %s", tt.err, tt.wantCode)
			}
		})
	}
}

// s3ErrorServer answers every request with an S3 XML error document, as S3
// does (a HEAD gets the status alone), counting the requests.
func s3ErrorServer(t *testing.T, status int, code, message string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		io.Copy(io.Discard, r.Body) //nolint:errcheck // the answer is an error anyway
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("x-amz-request-id", "4442587FB7D0A2F9")
		w.WriteHeader(status)
		if r.Method == http.MethodHead {
			return
		}
		_, _ = fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
			`<Error><Code>%s</Code><Message>%s</Message><RequestId>4442587FB7D0A2F9</RequestId><HostId>host</HostId></Error>`, code, message)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// TestKindAnswers classifies S3 answers a local server does not give
// (IAM and KMS refusals, throttling), each from a server answering them
// on the wire as S3 does, through the Store.
func TestKindAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status        int
		code, message string
		want          Kind
	}{
		// An SSE-KMS permission failure comes as AccessDenied, the message
		// naming the KMS action.
		{403, "AccessDenied", "User: arn:aws:sts::123456789012:assumed-role/fn/fn is not authorized to perform: kms:GenerateDataKey on resource: arn:aws:kms:eu-west-1:123456789012:key/k because no identity-based policy allows the kms:GenerateDataKey action", AccessDenied},
		{403, "AccessDenied", "Access Denied", AccessDenied},
		{403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", AccessDenied},
		{403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.", AccessDenied},
		{403, "AllAccessDisabled", "All access to this object has been disabled", AccessDenied},
		{400, "KMS.DisabledException", "arn:aws:kms:eu-west-1:123456789012:key/k is disabled.", AccessDenied},
		{400, "KMS.NotFoundException", "Invalid keyId k", AccessDenied},
		{400, "KMS.KMSInvalidStateException", "arn:aws:kms:eu-west-1:123456789012:key/k is pending deletion.", AccessDenied},
		{400, "KMS.ThrottlingException", "You have exceeded the rate at which you may call KMS.", Other},
		{403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", Other},
		{404, "NoSuchBucket", "The specified bucket does not exist", NoSuchBucket},
		{503, "SlowDown", "Please reduce your request rate.", Other},
		{500, "InternalError", "We encountered an internal error. Please try again.", Other},
		// A server fault is never permanent, whatever its code: an unknown
		// KMS code, or even a known refusal's, on a 5xx may pass.
		{500, "KMS.SomeNewServerFault", "KMS failed.", Other},
		{503, "KMS.DisabledException", "arn:aws:kms:eu-west-1:123456789012:key/k is disabled.", Other},
		{400, "KMS.SomeNewKeyProblem", "The key cannot be used.", AccessDenied},
	}
	for _, tt := range tests {
		t.Run(tt.code+" "+tt.message[:min(len(tt.message), 20)], func(t *testing.T) {
			t.Parallel()
			srv, _ := s3ErrorServer(t, tt.status, tt.code, tt.message)
			store := New(clientWith(t, func(o *s3.Options) { o.BaseEndpoint = aws.String(srv.URL) }), nil)
			_, err := store.Upload(t.Context(), Object{Bucket: "b", Key: "k", Size: 1}, strings.NewReader("x"))
			if err == nil {
				t.Fatal("Upload succeeded against a server answering errors")
			}
			if got := KindOf(err); got != tt.want {
				t.Errorf("KindOf(%v) = %v, want %v", err, got, tt.want)
			}
			if tt.want == NoSuchBucket {
				return // Upload names a missing bucket by ErrNoSuchBucket alone
			}
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != tt.code {
				t.Errorf("Upload error %v does not carry S3's code %s", err, tt.code)
			}
		})
	}
}

// TestExistsDenied: a HEAD refused (no s3:GetObject, or no s3:ListBucket
// on a missing key) is an access error, not "not stored", and costs no
// HeadBucket.
func TestExistsDenied(t *testing.T) {
	t.Parallel()
	srv, requests := s3ErrorServer(t, http.StatusForbidden, "AccessDenied", "Access Denied")
	store := New(clientWith(t, func(o *s3.Options) { o.BaseEndpoint = aws.String(srv.URL) }), nil)
	ok, _, err := store.Exists(t.Context(), "b", "k")
	if ok || KindOf(err) != AccessDenied {
		t.Fatalf("Exists = %v, %v; want false and an error of kind AccessDenied", ok, err)
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("%d requests, want 1 HeadObject", n)
	}
}
