package s3store

import (
	"github.com/recording-sync/recording-sync/internal/localenv/localenvtest"

	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// failPartProxy forwards requests to the S3 server at target but answers
// every UploadPart of part number part with an S3 InternalError, counting
// them.
func failPartProxy(t *testing.T, target, part string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	proxy := localenvtest.S3Proxy(t, target)
	var failed atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.Method == http.MethodPut && q.Get("partNumber") == part && q.Get("uploadId") != "" {
			failed.Add(1)
			io.Copy(io.Discard, r.Body) //nolint:errcheck // the answer is an error anyway
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>`+ //nolint:errcheck // test server
				`<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message>`+
				`<RequestId>proxy</RequestId></Error>`)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &failed
}

func TestUploadPartFailure(t *testing.T) {
	t.Parallel()
	direct := s3Client(t)
	const retries = 2
	proxy, failed := failPartProxy(t, s3Server(t).Endpoint, "2")
	opts := direct.Options()
	opts.BaseEndpoint = aws.String(proxy.URL)
	opts.RetryMaxAttempts = retries
	store := New(s3.New(opts), &Options{PartSize: testPartSize})

	tests := []struct {
		name string
		size int64
	}{
		{"two parts", testPartSize + 1},
		{"four parts", 20 * mib},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bucket := newBucket(t)
			const key = "rec.wav"
			before := failed.Load()
			_, err := store.Upload(t.Context(), Object{Bucket: bucket, Key: key, Size: tt.size}, data(key, tt.size))
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InternalError" {
				t.Fatalf("Upload error = %v, want the proxy's InternalError", err)
			}
			if n := failed.Load() - before; n != retries {
				t.Errorf("part 2 was sent %d times, want %d (RetryMaxAttempts)", n, retries)
			}
			assertAbsent(t, direct, bucket, key)
			assertNoUploads(t, direct, bucket)
		})
	}
}
