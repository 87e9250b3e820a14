package main

import (
	"crypto/tls"
	"log"
	"maps"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// countingProxy is a TLS-terminating reverse proxy in front of the S3
// server that counts requests by S3 operation. Every copying process talks
// to S3 through it, so that the requests of the function (whose client
// app.Build makes) and of the AWS CLI are counted like the others.
type countingProxy struct {
	URL string // https://127.0.0.1:PORT: the copying processes' S3 endpoint

	srv    *http.Server
	mu     sync.Mutex
	counts map[string]int
}

// newCountingProxy forwards to the S3 server at target over TLS, trusting
// cert, and serves with cert too.
func newCountingProxy(target string, cert *certFiles, errLog *log.Logger) (*countingProxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &countingProxy{URL: "https://" + ln.Addr().String(), counts: map[string]int{}}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL.Scheme, pr.Out.URL.Host = u.Scheme, u.Host
			pr.Out.Host = pr.In.Host // the client signed its Host header
			// This server already answered 100 Continue; the signature
			// does not cover Expect.
			pr.Out.Header.Del("Expect")
		},
		Transport: &http.Transport{
			TLSClientConfig:     cert.clientConfig(),
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     time.Minute,
			WriteBufferSize:     256 << 10,
			ReadBufferSize:      64 << 10,
			DisableCompression:  true,
		},
		BufferPool: bufferPool{},
		ErrorLog:   errLog,
	}
	p.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rp.ServeHTTP(&countingWriter{ResponseWriter: w, p: p, op: s3Operation(r)}, r)
		}),
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          errLog,
	}
	go func() { _ = p.srv.Serve(tls.NewListener(ln, cert.serverConfig())) }() // ends with Close
	return p, nil
}

// take returns the counts since the previous take and starts afresh.
func (p *countingProxy) take() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := maps.Clone(p.counts)
	clear(p.counts)
	return out
}

// Close stops the proxy.
func (p *countingProxy) Close() error { return p.srv.Close() }

// countingWriter counts its request when the status goes out, before the
// client can see the answer: once a copying process has exited, every
// request it made is counted.
type countingWriter struct {
	http.ResponseWriter
	p       *countingProxy
	op      string
	counted bool
}

func (w *countingWriter) WriteHeader(code int) {
	if !w.counted && code >= 200 {
		w.counted = true
		op := w.op
		if code >= 400 {
			op += " " + strconv.Itoa(code)
		}
		w.p.mu.Lock()
		w.p.counts[op]++
		w.p.mu.Unlock()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *countingWriter) Write(b []byte) (int, error) {
	if !w.counted {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *countingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// s3Operation names the S3 operation of a path-style request: the Go SDK
// names it in the x-id query parameter; otherwise (the AWS CLI) by its
// method, path depth and sub-resource.
func s3Operation(r *http.Request) string {
	q := r.URL.Query()
	if id := q.Get("x-id"); id != "" {
		return id
	}
	object := strings.Contains(strings.Trim(r.URL.Path, "/"), "/")
	switch m := r.Method; {
	case m == http.MethodPut && q.Has("partNumber"):
		return "UploadPart"
	case m == http.MethodPut && object:
		return "PutObject"
	case m == http.MethodPost && q.Has("uploads"):
		return "CreateMultipartUpload"
	case m == http.MethodPost && q.Has("uploadId"):
		return "CompleteMultipartUpload"
	case m == http.MethodDelete && q.Has("uploadId"):
		return "AbortMultipartUpload"
	case m == http.MethodDelete && object:
		return "DeleteObject"
	case m == http.MethodHead && object:
		return "HeadObject"
	case m == http.MethodGet && object && q.Has("uploadId"):
		return "ListParts"
	case m == http.MethodGet && object:
		return "GetObject"
	case m == http.MethodGet && q.Get("list-type") == "2":
		return "ListObjectsV2"
	}
	return r.Method + " " + map[bool]string{true: "object", false: "bucket"}[object]
}

// bufferPool gives the proxy 256 KiB copy buffers instead of 32 KiB.
type bufferPool struct{}

var buffers = sync.Pool{New: func() any { return new([256 << 10]byte) }}

func (bufferPool) Get() []byte  { return buffers.Get().(*[256 << 10]byte)[:] }
func (bufferPool) Put(b []byte) { buffers.Put((*[256 << 10]byte)(b)) }
