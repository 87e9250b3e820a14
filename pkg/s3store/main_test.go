package s3store

import (
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/recording-sync/recording-sync/internal/localenv"
	"github.com/recording-sync/recording-sync/internal/localenv/localenvtest"
)

const mib = 1 << 20

// testPartSize is the smallest part size S3 accepts; it keeps the multipart
// cases small.
const testPartSize = 5 * mib

// The S3 servers are shared by all tests of the binary and started by the
// first test that needs each, so the unit tests run without them: one over
// plain HTTP, one over HTTPS as S3 is reached.
var (
	server    localenvtest.Server
	tlsServer = localenvtest.Server{TLS: true}
)

func TestMain(m *testing.M) { localenvtest.S3Main(m, &server, &tlsServer) }

// s3Server returns the shared server, starting it on first use.
func s3Server(t *testing.T) *localenv.S3Server {
	t.Helper()
	return server.S3(t)
}

// s3Client returns a client talking to the shared server directly.
func s3Client(t *testing.T) *s3.Client {
	t.Helper()
	return server.Client(t)
}

// testStore returns a client of the shared server and a store on it with
// the smallest part size.
func testStore(t *testing.T) (*s3.Client, *Store) {
	t.Helper()
	c := s3Client(t)
	return c, New(c, &Options{PartSize: testPartSize})
}

// transports are the ways to reach S3: over plain HTTP objects smaller
// than a part are buffered and larger ones go multipart; over HTTPS, as S3
// is reached, known sizes are streamed.
var transports = []struct {
	name   string
	server *localenvtest.Server
}{
	{"http", &server},
	{"https", &tlsServer},
}

// forEachTransport runs test over each transport, with a store of the
// smallest part size and buckets on the transport's server.
func forEachTransport(t *testing.T, test func(t *testing.T, c *s3.Client, store *Store, newBucket func(*testing.T) string)) {
	t.Helper()
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			c := tr.server.Client(t)
			test(t, c, New(c, &Options{PartSize: testPartSize}), func(t *testing.T) string { return tr.server.NewBucket(t) })
		})
	}
}

// tlsClient returns a client reaching the shared server through a TLS
// proxy that records the requests it passes.
func tlsClient(t *testing.T) (*s3.Client, *localenv.FaultProxy) {
	t.Helper()
	srv := s3Server(t)
	cert, err := localenv.NewCert(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	proxy, err := localenv.NewFaultProxyTLS(srv.Endpoint, cert)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(proxy.Close)
	c, err := srv.ClientVia(t.Context(), proxy.URL, cert)
	if err != nil {
		t.Fatal(err)
	}
	return c, proxy
}

// newBucket creates a bucket that no other test uses.
func newBucket(t *testing.T) string {
	t.Helper()
	return server.NewBucket(t)
}

// data returns a deterministic pseudo-random stream of n bytes; the same
// seed always gives the same bytes.
func data(seed string, n int64) io.Reader {
	return io.LimitReader(rand.NewChaCha8(sha256.Sum256([]byte(seed))), n)
}

// dataSum is the SHA-256 of data(seed, n).
func dataSum(t *testing.T, seed string, n int64) [sha256.Size]byte {
	t.Helper()
	return readSum(t, data(seed, n))
}

func readSum(t *testing.T, r io.Reader) [sha256.Size]byte {
	t.Helper()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		t.Fatalf("hash: %v", err)
	}
	return [sha256.Size]byte(h.Sum(nil))
}

// stored is what GetObject returns for an object.
type stored struct {
	sum         [sha256.Size]byte
	size        int64
	contentType string
	metadata    map[string]string
}

func getObject(t *testing.T, c *s3.Client, bucket, key string) stored {
	t.Helper()
	out, err := c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: &bucket, Key: &key}, func(o *s3.Options) {
		// Multipart objects have no whole-object checksum to validate; the
		// SHA-256 below is the check.
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	if err != nil {
		t.Fatalf("get %s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	h := sha256.New()
	n, err := io.Copy(h, out.Body)
	if err != nil {
		t.Fatalf("read %s/%s: %v", bucket, key, err)
	}
	return stored{
		sum:         [sha256.Size]byte(h.Sum(nil)),
		size:        n,
		contentType: deref(out.ContentType),
		metadata:    out.Metadata,
	}
}

// assertAbsent fails unless HeadObject answers 404 for bucket/key.
func assertAbsent(t *testing.T, c *s3.Client, bucket, key string) {
	t.Helper()
	out, err := c.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
	if err == nil {
		t.Errorf("object %s/%s exists (%d bytes), want none", bucket, key, deref(out.ContentLength))
		return
	}
	var nf *types.NotFound
	if !errors.As(err, &nf) {
		t.Errorf("head %s/%s: %v, want 404 Not Found", bucket, key, err)
	}
}

// assertNoUploads fails if bucket has an unfinished multipart upload.
func assertNoUploads(t *testing.T, c *s3.Client, bucket string) {
	t.Helper()
	out, err := c.ListMultipartUploads(t.Context(), &s3.ListMultipartUploadsInput{Bucket: &bucket})
	if err != nil {
		t.Fatalf("list multipart uploads of %s: %v", bucket, err)
	}
	for _, u := range out.Uploads {
		t.Errorf("open multipart upload left in %s: key %s, upload %s", bucket, deref(u.Key), deref(u.UploadId))
	}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
