package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/internal/localenv"
	"github.com/recording-sync/recording-sync/internal/localenv/localenvtest"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/s3store"
)

// The end-to-end tests run the real bootstrap, built like `sam build` does,
// under the Lambda Runtime Interface Emulator, against the PBX simulator and
// a real S3 server, all on loopback.

const (
	testClientID     = "e2e-client-id"
	testClientSecret = "e2e-client-secret-4f9a1c"
)

var (
	bootstrapPath string
	s3Server      *localenv.S3Server
	bucketSeq     atomic.Int64
	// tlsS3 serves HTTPS, as S3 does on AWS, where the store streams a
	// recording of known size as one PutObject; started by the first test
	// that asks for it (stackOptions.tls).
	tlsS3 = localenvtest.Server{TLS: true}
)

func TestMain(m *testing.M) {
	code := localenvtest.E2EMain(m, []string{"recording-sync"}, func(bootstraps map[string]string, s3 *localenv.S3Server) {
		bootstrapPath, s3Server = bootstraps["recording-sync"], s3
	})
	tlsS3.Close(code != 0)
	os.Exit(code)
}

// TestOverBothTransports runs each copy test that reaches S3 over plain
// HTTP and over HTTPS: over HTTPS, as on AWS, a recording of known size up
// to 16 MiB is streamed from the download as one PutObject; over HTTP it is
// buffered, or goes multipart from a part's size.
func TestOverBothTransports(t *testing.T) {
	tests := []struct {
		name string
		test func(t *testing.T, tls bool)
	}{
		{"CopiesRecordingsByteForByte", testCopiesRecordingsByteForByte},
		{"StoredRecordingIsNotDownloadedAgain", testStoredRecordingIsNotDownloadedAgain},
		{"FaultsLeaveNothingBehind", testFaultsLeaveNothingBehind},
		{"DroppedDownloadResumes", testDroppedDownloadResumes},
		{"TransientPBXFaultsAreSurvived", testTransientPBXFaultsAreSurvived},
		{"DeadlineAbortsCleanly", testDeadlineAbortsCleanly},
	}
	for _, tt := range tests {
		for _, tls := range []bool{false, true} {
			name := tt.name + "/http"
			if tls {
				name = tt.name + "/https"
			}
			t.Run(name, func(t *testing.T) { tt.test(t, tls) })
		}
	}
}

// stack is one function instance wired to a simulator and a fresh bucket.
type stack struct {
	env     []string      // the function's environment
	timeout time.Duration // the function's timeout
	sim     *yeastartest.Simulator
	lambda  *localenv.Lambda
	bucket  string
	s3      *s3.Client
	tls     bool             // S3 is reached over HTTPS
	out     *localenv.Output // everything the emulator and the function printed
}

// stackOptions tune newStack.
type stackOptions struct {
	sim          yeastartest.Options
	pbxHandler   func(http.Handler) http.Handler // wraps the simulator, e.g. to break connections
	s3Endpoint   string                          // default: the S3 server itself
	tls          bool                            // store into tlsS3, over HTTPS
	timeout      time.Duration
	extraEnv     []string // more KEY=VALUE for the function
	clientSecret string   // the function's client secret, when not the simulator's
}

func newStack(t testing.TB, opts stackOptions) *stack {
	t.Helper()
	opts.sim.ClientID, opts.sim.ClientSecret = testClientID, testClientSecret
	var sim *yeastartest.Simulator
	var pbxURL string
	if opts.pbxHandler == nil {
		sim = yeastartest.NewServer(opts.sim)
		pbxURL = sim.URL()
		t.Cleanup(sim.Close)
	} else {
		sim = yeastartest.New(opts.sim)
		pbxURL = newLoopbackServer(t, opts.pbxHandler(sim))
	}
	secret := testClientSecret
	if opts.clientSecret != "" {
		secret = opts.clientSecret
	}
	srv := s3Server
	if opts.tls {
		srv = tlsS3.S3(t)
	}
	st := startStack(t, srv, "e2e", opts.timeout, func(bucket string) []string {
		env := localenvtest.CopyEnv(srv, pbxURL, testClientID, secret, bucket)
		if opts.s3Endpoint != "" {
			env = append(env, "AWS_ENDPOINT_URL_S3="+opts.s3Endpoint, "AWS_MAX_ATTEMPTS=2")
		}
		return append(env, opts.extraEnv...)
	})
	st.sim, st.tls = sim, opts.tls
	return st
}

// startStack starts a function instance on a fresh bucket of srv named
// after prefix, with the environment envOf gives for that bucket.
func startStack(t testing.TB, srv *localenv.S3Server, prefix string, timeout time.Duration, envOf func(bucket string) []string) *stack {
	t.Helper()
	st := &stack{out: &localenv.Output{}, timeout: timeout, bucket: localenvtest.E2EBucket(t, srv, prefix)}
	c, err := srv.Client(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	st.s3 = c
	st.env = envOf(st.bucket)
	st.lambda = startLambda(t, st.env, st.timeout, st.out)
	return st
}

// startLambda runs the bootstrap under its own emulator until the test ends.
func startLambda(t testing.TB, env []string, timeout time.Duration, out *localenv.Output) *localenv.Lambda {
	t.Helper()
	return localenvtest.StartLambda(t, bootstrapPath, localenv.LambdaOptions{Env: env, Output: out, Timeout: timeout})
}

// sibling returns another function instance (execution environment) with
// the same configuration, simulator and bucket.
func (st *stack) sibling(t testing.TB) *stack {
	t.Helper()
	sib := *st
	sib.out = &localenv.Output{}
	sib.lambda = startLambda(t, st.env, st.timeout, sib.out)
	return &sib
}

// invocation is the emulator's answer: a result or an error document.
type invocation struct {
	raw           []byte
	ErrorType     string `json:"errorType"`
	ErrorMessage  string `json:"errorMessage"`
	Bucket        string `json:"bucket"`
	Key           string `json:"key"`
	File          string `json:"file"`
	Bytes         int64  `json:"bytes"`
	AlreadyStored bool   `json:"alreadyStored"`
}

// invoke invokes the function with payload.
func (st *stack) invoke(t testing.TB, payload string) invocation {
	t.Helper()
	var inv invocation
	inv.raw = localenvtest.Invoke(t, st.lambda, payload, &inv)
	return inv
}

// mustSucceed fails the test unless inv is a result.
func mustSucceed(t testing.TB, inv invocation) {
	t.Helper()
	if inv.ErrorType != "" || inv.Key == "" {
		t.Fatalf("invocation failed: %s", inv.raw)
	}
}

// objectSHA256 returns the hex SHA-256 and size of a stored object.
func (st *stack) objectSHA256(t testing.TB, key string) (string, int64) {
	t.Helper()
	out, err := st.s3.GetObject(t.Context(), &s3.GetObjectInput{Bucket: &st.bucket, Key: &key})
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer out.Body.Close()
	h := sha256.New()
	n, err := io.Copy(h, out.Body)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n
}

// singlePutMax is the largest recording the function stores by one
// PutObject: over HTTPS streamed from the download, over HTTP buffered
// whole when smaller than a part (8 MiB at the emulator's 128 MB).
func singlePutMax(tls bool) int64 {
	if tls {
		return s3store.DefaultStreamMax
	}
	return s3store.DefaultPartSize - 1
}

// assertWrittenAs checks that key, a recording of size bytes, was written
// by one PutObject if it fits one (singlePutMax), else by a multipart
// upload: S3 gives a multipart object an ETag ending in "-<parts>". A
// chunked download (size unknown) goes multipart over HTTPS too.
func (st *stack) assertWrittenAs(t testing.TB, key string, size int64) {
	t.Helper()
	head, err := st.s3.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: &st.bucket, Key: &key})
	if err != nil {
		t.Fatalf("head %s: %v", key, err)
	}
	etag := aws.ToString(head.ETag)
	if want := size > singlePutMax(st.tls); strings.Contains(etag, "-") != want {
		t.Errorf("%s: ETag %s, want multipart %v for %d bytes", key, etag, want, size)
	}
}

// keys lists every object in the bucket but the token cache.
func (st *stack) keys(t testing.TB) []string {
	t.Helper()
	return localenvtest.RecordingKeys(t, st.s3, st.bucket)
}

// assertNothingStored checks that the bucket holds no object and no open
// multipart upload.
func (st *stack) assertNothingStored(t testing.TB) {
	t.Helper()
	if keys := st.keys(t); len(keys) != 0 {
		t.Errorf("bucket holds %v, want nothing", keys)
	}
	st.assertNoOpenUploads(t)
}

// assertNothingStoredBut checks that the bucket holds exactly n objects
// and no open multipart upload.
func (st *stack) assertNothingStoredBut(t testing.TB, n int) {
	t.Helper()
	if keys := st.keys(t); len(keys) != n {
		t.Errorf("bucket holds %v, want %d objects", keys, n)
	}
	st.assertNoOpenUploads(t)
}

// assertNoOpenUploads checks that no multipart upload was left open.
func (st *stack) assertNoOpenUploads(t testing.TB) {
	t.Helper()
	mp, err := st.s3.ListMultipartUploads(t.Context(), &s3.ListMultipartUploadsInput{Bucket: &st.bucket})
	if err != nil {
		t.Fatalf("list multipart uploads: %v", err)
	}
	if len(mp.Uploads) != 0 {
		t.Errorf("%d multipart uploads left open", len(mp.Uploads))
	}
}

// sourceSHA256 is the hash of what the simulator serves for a recording.
func sourceSHA256(t testing.TB, file string, size int64) string {
	t.Helper()
	h := sha256.New()
	if _, err := io.Copy(h, yeastartest.Content(file, size)); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// assertNoSecrets fails if any token the simulator issued, or the client
// secret, appears in text.
func assertNoSecrets(t testing.TB, sim *yeastartest.Simulator, what, text string) {
	t.Helper()
	secrets := append(sim.IssuedTokens(), testClientSecret)
	if len(secrets) < 2 {
		t.Fatalf("no token was issued: the check would prove nothing")
	}
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("%s contains a secret (%.4s...)", what, s)
		}
	}
}

// newLoopbackServer serves h on loopback until the test ends.
func newLoopbackServer(t testing.TB, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// deleteObject removes key, so that large benchmark objects do not pile up.
func (st *stack) deleteObject(t testing.TB, key string) {
	t.Helper()
	if _, err := st.s3.DeleteObject(context.WithoutCancel(t.Context()), &s3.DeleteObjectInput{Bucket: &st.bucket, Key: &key}); err != nil {
		t.Errorf("delete %s: %v", key, err)
	}
}
