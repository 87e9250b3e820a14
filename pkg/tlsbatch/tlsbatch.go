// Package tlsbatch dials TLS client connections that hand the kernel many
// TLS records per system call.
//
// crypto/tls seals at most 16 KiB per record and writes every record to
// its socket on its own: uploading 1 GiB takes some 65,000 write system
// calls, each paying the kernel's per-call and per-packet costs (on a
// loopback or a virtual NIC, the receiver's TCP processing too). A Conn
// puts a buffer between the TLS layer and the socket, so that the records
// of one Write leave together, in a few large writes. Nothing waits in the
// buffer after a Write returns: each Write and each Read (the handshake's
// turn-taking) flushes it.
package tlsbatch

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// DefaultBufferSize is the socket write size a Conn aims for: large enough
// to carry 16 full records per system call, small enough to stay in cache.
const DefaultBufferSize = 256 << 10

// Dialer dials batched TLS connections.
type Dialer struct {
	// Dial opens the TCP connection; (&net.Dialer{}).DialContext if nil.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Config is read at every dial (not copied here), so that settings
	// applied to it later, such as the SDK's AWS_CA_BUNDLE, still count.
	// ServerName defaults to the dialled host; NextProtos is always
	// http/1.1, the only protocol a Conn's users speak.
	Config func() *tls.Config
	// HandshakeTimeout bounds the TLS handshake; none if zero.
	HandshakeTimeout time.Duration
	// BufferSize is the write buffer's size; DefaultBufferSize if zero.
	BufferSize int
}

// ForTransport sets tr's DialTLSContext to a batching Dialer that keeps
// using tr's own DialContext, TLSClientConfig and TLSHandshakeTimeout, read
// when a connection is dialled.
func ForTransport(tr *http.Transport) {
	tr.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		d := Dialer{
			Dial:             tr.DialContext,
			Config:           func() *tls.Config { return tr.TLSClientConfig },
			HandshakeTimeout: tr.TLSHandshakeTimeout,
		}
		return d.DialContext(ctx, network, addr)
	}
}

func dial(ctx context.Context, f func(context.Context, string, string) (net.Conn, error), network, addr string) (net.Conn, error) {
	if f == nil {
		var d net.Dialer
		f = d.DialContext
	}
	return f(ctx, network, addr)
}

// DialContext connects to addr and completes the TLS handshake.
func (d *Dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	raw, err := dial(ctx, d.Dial, network, addr)
	if err != nil {
		return nil, err
	}
	var cfg *tls.Config
	if d.Config != nil {
		cfg = d.Config()
	}
	if cfg == nil {
		cfg = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	cfg = cfg.Clone()
	cfg.NextProtos = []string{"http/1.1"}
	if cfg.ServerName == "" {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			host = addr
		}
		cfg.ServerName = host
	}
	size := d.BufferSize
	if size <= 0 {
		size = DefaultBufferSize
	}
	// Room for the records' headers and tags too (22 bytes per 16 KiB), so
	// that a Write of size bytes leaves in one system call, not two.
	bc := &bufferedConn{Conn: raw, w: bufio.NewWriterSize(raw, size+size/256+1024)}
	tc := tls.Client(bc, cfg)
	hctx := ctx
	if d.HandshakeTimeout > 0 {
		var cancel context.CancelFunc
		hctx, cancel = context.WithTimeout(ctx, d.HandshakeTimeout)
		defer cancel()
	}
	if err := tc.HandshakeContext(hctx); err != nil {
		_ = raw.Close() // the handshake's error is the one to report
		return nil, err
	}
	return &Conn{Conn: tc, buf: bc, size: size}, nil
}

// Conn is a TLS client connection whose records are written in batches.
type Conn struct {
	*tls.Conn
	buf  *bufferedConn
	size int
}

// Write seals p into records and writes them out before returning.
func (c *Conn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if ferr := c.buf.flush(); err == nil {
		err = ferr
	}
	return n, err
}

// ReadFrom copies r to the connection in writes of the buffer's size, so
// that a request body streamed through io.Copy (as net/http does) is
// sealed and sent in large batches rather than 32 KiB at a time.
func (c *Conn) ReadFrom(r io.Reader) (int64, error) {
	bp := chunks.Get().(*[]byte)
	defer chunks.Put(bp)
	b := *bp
	if len(b) < c.size {
		b = make([]byte, c.size)
		*bp = b
	}
	b = b[:c.size]
	var total int64
	for {
		n, rerr := io.ReadFull(r, b)
		if n > 0 {
			w, werr := c.Write(b[:n])
			total += int64(w)
			if werr != nil {
				return total, werr
			}
		}
		switch rerr {
		case nil:
		case io.EOF, io.ErrUnexpectedEOF:
			return total, nil
		default:
			return total, rerr
		}
	}
}

// chunks holds ReadFrom's buffers between requests: warm invocations
// reuse them.
var chunks = sync.Pool{New: func() any { return new([]byte) }}

// bufferedConn is the socket under the TLS layer: writes gather in w until
// flushed, which every Read does first, so that a handshake message is out
// before its answer is awaited.
type bufferedConn struct {
	net.Conn
	mu sync.Mutex
	w  *bufio.Writer
}

func (b *bufferedConn) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Write(p)
}

func (b *bufferedConn) Read(p []byte) (int, error) {
	if err := b.flush(); err != nil {
		return 0, err
	}
	return b.Conn.Read(p)
}

// Close sends what is buffered (the TLS close_notify alert) and closes the
// socket.
func (b *bufferedConn) Close() error {
	ferr := b.flush()
	if err := b.Conn.Close(); err != nil {
		return err
	}
	return ferr
}

func (b *bufferedConn) flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Flush()
}
