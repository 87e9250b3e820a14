package tlsbatch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// hashServer answers every request with the SHA-256 of its body.
func hashServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		if _, err := io.Copy(h, r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		_, _ = io.WriteString(w, hex.EncodeToString(h.Sum(nil)))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// countingDial dials TCP and counts the write system calls made on the
// connections it returns.
func countingDial(writes *atomic.Int64) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &countingConn{Conn: c, writes: writes}, nil
	}
}

type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// upload sends the size bytes of body to srv through tr, as the AWS SDK
// does (with a Content-Length), and returns the server's hash of them.
func upload(t *testing.T, tr *http.Transport, url string, body io.Reader, size int) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(size)
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	got, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, body %q, error %v", resp.StatusCode, got, err)
	}
	return string(got)
}

// transport is an HTTP transport trusting srv that counts its writes. Its
// buffer is as large as the function's, so that its writes could carry
// many TLS records each.
func transport(srv *httptest.Server, writes *atomic.Int64) *http.Transport {
	return &http.Transport{
		WriteBufferSize: DefaultBufferSize,
		DialContext:     countingDial(writes),
		TLSClientConfig: srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone(),
	}
}

func TestBatchesRecordsIntoFewWrites(t *testing.T) {
	srv := hashServer(t)
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<20) // 16 MiB
	sum := sha256.Sum256(data)
	want := hex.EncodeToString(sum[:])
	bodies := map[string]func() io.Reader{
		// bytes.Reader hands net/http the whole slice in one Write.
		"bytes.Reader": func() io.Reader { return bytes.NewReader(data) },
		// A plain reader goes through io.Copy, hence Conn.ReadFrom.
		"plain reader": func() io.Reader { return struct{ io.Reader }{bytes.NewReader(data)} },
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			var plainWrites, batchedWrites atomic.Int64
			plain := transport(srv, &plainWrites)
			defer plain.CloseIdleConnections()
			if got := upload(t, plain, srv.URL, body(), len(data)); got != want {
				t.Fatalf("plain transport: server hashed %s, want %s", got, want)
			}
			batched := transport(srv, &batchedWrites)
			ForTransport(batched)
			defer batched.CloseIdleConnections()
			if got := upload(t, batched, srv.URL, body(), len(data)); got != want {
				t.Fatalf("batched transport: server hashed %s, want %s", got, want)
			}
			// One record of at most 16 KiB per write without batching; about
			// 256 KiB per write with it, plus the handshake and headers.
			if n := plainWrites.Load(); n < int64(len(data)>>14) {
				t.Errorf("plain transport made %d writes, fewer than one per 16 KiB record", n)
			}
			if n, limit := batchedWrites.Load(), int64(len(data)/DefaultBufferSize)*5/4+8; n > limit {
				t.Errorf("batched transport made %d writes for 16 MiB, want at most %d", n, limit)
			}
			t.Logf("writes for 16 MiB: %d plain, %d batched", plainWrites.Load(), batchedWrites.Load())
		})
	}
}

// The transport's TLS settings are read when a connection is dialled: the
// AWS SDK adds the AWS_CA_BUNDLE roots after the transport options run.
func TestConfigIsReadAtDialTime(t *testing.T) {
	srv := hashServer(t)
	var writes atomic.Int64
	tr := &http.Transport{DialContext: countingDial(&writes)}
	ForTransport(tr)
	defer tr.CloseIdleConnections()
	req, err := http.NewRequest(http.MethodPut, srv.URL, strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := (&http.Client{Transport: tr}).Do(req); err == nil {
		_ = resp.Body.Close()
		t.Fatal("a server whose certificate is not trusted was accepted")
	}
	tr.TLSClientConfig = srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	if got := upload(t, tr, srv.URL, strings.NewReader("x"), 1); len(got) != 64 {
		t.Fatalf("after trusting the server: answer %q", got)
	}
}

// Many requests in turn and side by side over kept-alive connections, with
// the race detector's eye on the buffer shared by readers and writers.
func TestConcurrentRequests(t *testing.T) {
	srv := hashServer(t)
	var writes atomic.Int64
	tr := transport(srv, &writes)
	tr.MaxIdleConnsPerHost = 2
	ForTransport(tr)
	defer tr.CloseIdleConnections()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 8 {
				data := bytes.Repeat(fmt.Appendf(nil, "w%di%d", w, i), 20_000+w*7919+i)
				sum := sha256.Sum256(data)
				if got := upload(t, tr, srv.URL, struct{ io.Reader }{bytes.NewReader(data)}, len(data)); got != hex.EncodeToString(sum[:]) {
					t.Errorf("worker %d request %d: server hashed %s", w, i, got)
				}
			}
		})
	}
	wg.Wait()
}

func TestHandshakeFailureClosesTheSocket(t *testing.T) {
	srv := hashServer(t)
	var closed atomic.Bool
	d := &Dialer{
		Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &closeRecorder{Conn: c, closed: &closed}, nil
		},
		Config: func() *tls.Config { return &tls.Config{MinVersion: tls.VersionTLS12} }, // no roots: untrusted
	}
	c, err := d.DialContext(t.Context(), "tcp", srv.Listener.Addr().String())
	if err == nil {
		_ = c.Close()
		t.Fatal("handshake with an untrusted server succeeded")
	}
	if !closed.Load() {
		t.Error("the socket of a failed handshake was left open")
	}
}

type closeRecorder struct {
	net.Conn
	closed *atomic.Bool
}

func (c *closeRecorder) Close() error {
	c.closed.Store(true)
	return c.Conn.Close()
}
