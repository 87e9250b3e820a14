package app

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// fakeS3 answers PutObject over HTTPS and keeps the SHA-256 of what it got.
type fakeS3 struct {
	*httptest.Server
	mu   sync.Mutex
	sums [][32]byte
}

func newFakeS3(t *testing.T) *fakeS3 {
	t.Helper()
	f := &fakeS3{}
	f.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := decodeBody(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.sums = append(f.sums, sha256.Sum256(b))
		f.mu.Unlock()
		w.Header().Set("ETag", `"etag"`)
	}))
	f.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point of a test
	f.StartTLS()
	t.Cleanup(f.Close)
	return f
}

// decodeBody returns the payload of a request, undoing aws-chunked
// encoding (the SDK's trailing-checksum framing) when it was used.
func decodeBody(r *http.Request) ([]byte, error) {
	if !strings.Contains(r.Header.Get("Content-Encoding"), "aws-chunked") {
		return io.ReadAll(r.Body)
	}
	br := bufio.NewReader(r.Body)
	var out []byte
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return nil, err
		}
		size, _, _ := strings.Cut(strings.TrimSpace(line), ";")
		n, err := strconv.ParseInt(size, 16, 64)
		if err != nil {
			return nil, fmt.Errorf("chunk size %q: %w", line, err)
		}
		if n == 0 {
			return out, nil // the trailer follows
		}
		chunk := make([]byte, n+2)
		if _, err := io.ReadFull(br, chunk); err != nil {
			return nil, err
		}
		out = append(out, chunk[:n]...)
	}
}

// selfSigned signs tmpl with a new key of its own and returns the
// certificate (DER) and the key.
func selfSigned(t *testing.T, tmpl *x509.Certificate) ([]byte, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return der, key
}

// untrustedCA writes a PEM file with a new self-signed CA that signed
// nothing the test servers use.
func untrustedCA(t *testing.T) string {
	t.Helper()
	der, _ := selfSigned(t, &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "someone else"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign})
	path := filepath.Join(t.TempDir(), "other-ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// caBundle writes the server's certificate to a PEM file.
func caBundle(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(path, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// s3ClientWithEnv is the app's S3 client for endpoint, with AWS_CA_BUNDLE
// and the other settings of the environment applied; trOpts change its
// transport before the SDK and the app configure it further (a test's
// dialler).
func s3ClientWithEnv(t *testing.T, endpoint string, trOpts ...func(*http.Transport)) *s3.Client {
	t.Helper()
	cfg, err := awsconfig.LoadDefaultConfig(t.Context(), awsconfig.WithHTTPClient(awsHTTPClient().WithTransportOptions(trOpts...)),
		awsconfig.WithRegion("us-east-1"),
		awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")))
	if err != nil {
		t.Fatal(err)
	}
	c := newS3Client(cfg, true)
	return s3.New(c.Options(), func(o *s3.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

// The S3 client is the SDK's buildable one and trusts what AWS_CA_BUNDLE
// names.
func TestS3ClientHonoursCABundle(t *testing.T) {
	srv := newFakeS3(t)
	t.Setenv("AWS_CA_BUNDLE", caBundle(t, srv.Server))
	c := s3ClientWithEnv(t, srv.URL)
	if _, ok := c.Options().HTTPClient.(*awshttp.BuildableClient); !ok {
		t.Fatalf("S3 HTTP client is a %T, want the SDK's buildable client", c.Options().HTTPClient)
	}
	body := bytes.Repeat([]byte("recording "), 300_000) // 3 MB, many TLS records
	if _, err := c.PutObject(t.Context(), &s3.PutObjectInput{
		Bucket: aws.String("b"), Key: aws.String("k"), Body: bytes.NewReader(body),
	}); err != nil {
		t.Fatalf("PutObject over HTTPS trusted through AWS_CA_BUNDLE: %v", err)
	}
	if want := sha256.Sum256(body); len(srv.sums) != 1 || srv.sums[0] != want {
		t.Fatalf("server got %d requests, want 1 with the body's bytes", len(srv.sums))
	}
}

func TestS3ClientRefusesAnUntrustedServer(t *testing.T) {
	srv := newFakeS3(t)
	t.Setenv("AWS_CA_BUNDLE", untrustedCA(t))
	c := s3ClientWithEnv(t, srv.URL)
	_, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("b"), Key: aws.String("k"), Body: strings.NewReader("x")})
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("PutObject to an untrusted server: %v, want a certificate error", err)
	}
	if len(srv.sums) != 0 {
		t.Errorf("the untrusted server got %d requests", len(srv.sums))
	}
}
