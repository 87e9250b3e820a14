package app

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// stallHost is the S3 endpoint's name in the stall test; its certificate
// names it and the client reaches it through an in-memory pipe.
const stallHost = "s3.stall.test"

// stallCert is a self-signed certificate for stallHost, valid on the fake
// clock of a synctest bubble (which starts in 2000) as well as today.
func stallCert(t *testing.T) tls.Certificate {
	t.Helper()
	der, key := selfSigned(t, &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: stallHost},
		DNSNames: []string{stallHost}, NotBefore: time.Unix(0, 0), NotAfter: time.Now().AddDate(10, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// stopReading is an HTTPS endpoint that completes the TLS handshake, reads
// a request's header and then stops reading, as a stuck or overloaded S3
// endpoint does: the client's writes of the body block.
func stopReading(conn net.Conn, cert tls.Certificate, header chan<- string, release <-chan struct{}) {
	defer func() { _ = conn.Close() }()
	tc := tls.Server(conn, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	br := bufio.NewReaderSize(tc, 16)
	var h strings.Builder
	for {
		line, err := br.ReadString('\n')
		h.WriteString(line)
		if err != nil || line == "\r\n" {
			break
		}
	}
	header <- h.String()
	<-release
}

// An upload to an endpoint that stops reading, cancelled while its writes
// are blocked, returns at once with the context's error: closing the TLS
// connection must not wait for the stuck write. A TLS layer that serialises
// Close behind a blocked socket write waits out crypto/tls's 5 s
// close-notify deadline (or for ever), while the copy keeps only seconds
// before its deadline to abort its multipart upload.
//
// It runs in a synctest bubble over net.Pipe, so that "writes are blocked"
// is observed (synctest.Wait) rather than guessed with a sleep, and the
// time the call takes after the cancel is read on the bubble's fake clock:
// a stall shows as seconds of fake time, never as a slow machine. The
// client is the one the app builds (its transport settings and
// AWS_CA_BUNDLE's roots); only its dialler is replaced by the pipe.
//
// A Close blocked on a lock (rather than on the pipe or a timer) keeps the
// bubble from ever going idle, so its fake clock cannot reach even the 5 s
// deadline: the watchdog then ends the test on the real clock, with every
// goroutine's stack. Its bound only decides how soon a hang is reported.
func TestS3UploadCancelledWhileWritesBlockReturnsAtOnce(t *testing.T) {
	cert := stallCert(t)
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CA_BUNDLE", bundle)
	finished := make(chan struct{})
	defer close(finished)
	go watchdog(finished, 30*time.Second)
	synctest.Test(t, func(t *testing.T) {
		header := make(chan string, 1)
		release := make(chan struct{})
		pipeDial := func(context.Context, string, string) (net.Conn, error) {
			client, server := net.Pipe()
			go stopReading(server, cert, header, release)
			return client, nil
		}
		c := s3ClientWithEnv(t, "https://"+stallHost, func(tr *http.Transport) { tr.DialContext = pipeDial })
		defer close(release)

		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		done := make(chan error, 1)
		go func() {
			// 1 MiB: below the SDK's 100-continue threshold, so the body
			// follows the header at once.
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("b"), Key: aws.String("k"),
				Body: bytes.NewReader(make([]byte, 1<<20))})
			done <- err
		}()
		select {
		case h := <-header:
			if !strings.HasPrefix(h, "PUT /b/k") {
				t.Fatalf("the endpoint got %q, want the PutObject request", h)
			}
		case err := <-done:
			t.Fatalf("PutObject returned before the endpoint read its request: %v", err)
		}
		synctest.Wait() // every goroutine blocked: the body's writes are stuck
		select {
		case err := <-done:
			t.Fatalf("PutObject returned before the cancel: %v", err)
		default:
		}
		cancelled := time.Now()
		cancel()
		err := <-done
		if stall := time.Since(cancelled); stall >= time.Second {
			t.Errorf("PutObject returned %v (fake clock) after the cancel, want at once", stall)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("PutObject error %v, want the context's", err)
		}
	})
}

// watchdog panics with every goroutine's stack unless finished is closed
// within d: a test whose goroutines block on a lock cannot fail otherwise.
func watchdog(finished <-chan struct{}, d time.Duration) {
	select {
	case <-finished:
	case <-time.After(d):
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		panic(fmt.Sprintf("still blocked after %v: a Close waits on a lock held by a stuck write\n%s", d, buf))
	}
}
