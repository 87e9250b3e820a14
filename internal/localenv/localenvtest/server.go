package localenvtest

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/internal/localenv"
)

// Server is an S3 server shared by the tests of one test binary, started by
// the first test that needs it, so the unit tests run without it. The zero
// value is ready to use; declare one per package and hand it to S3Main in
// TestMain.
type Server struct {
	// TLS serves HTTPS with a certificate made at start, which Client
	// trusts, as S3 is reached: the SDK then streams bodies unsigned, with
	// trailing checksums.
	TLS bool

	once    sync.Once
	srv     *localenv.S3Server
	err     error
	dir     string
	log     *os.File
	buckets atomic.Int64
}

// S3 returns the server, starting it on first use; it fails t if the
// server cannot start.
func (s *Server) S3(t testing.TB) *localenv.S3Server {
	t.Helper()
	s.once.Do(s.start)
	if s.err != nil {
		t.Fatalf("start S3 server: %v", s.err)
	}
	return s.srv
}

// start runs the server in a new temporary folder holding its data and log.
func (s *Server) start() {
	// Not t.Context(): the server outlives the test that starts it.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// The folder is named after the test binary: "s3store-test-123".
	prefix := strings.TrimSuffix(filepath.Base(os.Args[0]), ".test") + "-test-"
	if s.dir, s.err = os.MkdirTemp("", prefix); s.err != nil {
		return
	}
	if s.log, s.err = os.Create(filepath.Join(s.dir, "versitygw.log")); s.err != nil {
		return
	}
	data := filepath.Join(s.dir, "data")
	if s.err = os.Mkdir(data, 0o750); s.err != nil {
		return
	}
	if !s.TLS {
		s.srv, s.err = localenv.StartS3(ctx, data, s.log)
		return
	}
	cert, err := localenv.NewCert(s.dir)
	if err != nil {
		s.err = err
		return
	}
	s.srv, s.err = localenv.StartS3TLS(ctx, data, cert.CertFile, cert.KeyFile, "", s.log)
}

// Client returns a client talking to the server directly.
func (s *Server) Client(t testing.TB) *s3.Client {
	t.Helper()
	c, err := s.S3(t).Client(t.Context())
	if err != nil {
		t.Fatalf("S3 client: %v", err)
	}
	return c
}

// NewBucket creates a bucket that no other test uses, named after the test.
func (s *Server) NewBucket(t testing.TB) string {
	t.Helper()
	name := bucketName(s.buckets.Add(1), t.Name())
	if err := s.S3(t).CreateBucket(t.Context(), name); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
	return name
}

// Object returns the bytes stored at s3://bucket/key, as anyone who may
// read the bucket sees them.
func (s *Server) Object(t testing.TB, bucket, key string) []byte {
	t.Helper()
	out, err := s.Client(t).GetObject(t.Context(), &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Fatalf("get s3://%s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	raw, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("read s3://%s/%s: %v", bucket, key, err)
	}
	return raw
}

// bucketName makes a valid bucket name from a sequence number, which keeps
// it unique, and a test name, which says whose bucket it is.
func bucketName(seq int64, testName string) string {
	name := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, testName)
	name = fmt.Sprintf("t%d-%s", seq, name)
	return strings.TrimRight(name[:min(len(name), 63)], "-")
}

// S3Main is the TestMain of a package whose tests share servers: it runs
// the tests, then stops the servers (printing their logs if any test
// failed) and exits with the tests' code.
func S3Main(m *testing.M, servers ...*Server) {
	code := m.Run()
	for _, s := range servers {
		s.Close(code != 0)
	}
	os.Exit(code)
}

// Close stops the server and removes its folder; when failed, it prints the
// server's log to stderr first. Call it from TestMain after m.Run. It does
// nothing if no test started the server.
func (s *Server) Close(failed bool) {
	if s.srv != nil {
		if err := s.srv.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "stop S3 server:", err)
		}
	}
	if s.log != nil {
		if failed {
			if b, err := os.ReadFile(s.log.Name()); err == nil && len(b) > 0 {
				fmt.Fprintf(os.Stderr, "--- S3 server log ---\n%s\n", b)
			}
		}
		if err := s.log.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "close S3 server log:", err)
		}
	}
	if s.dir != "" {
		if err := os.RemoveAll(s.dir); err != nil {
			fmt.Fprintln(os.Stderr, "remove S3 server folder:", err)
		}
	}
}
