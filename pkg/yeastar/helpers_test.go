package yeastar_test

import (
	"bytes"
	"crypto/sha256"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/clocktest"

	"github.com/recording-sync/recording-sync/internal/localenv/localenvtest"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

const (
	testClientID     = "client-id-0123"
	testClientSecret = "Cl1ent-S3cret-value-do-not-leak"
	testUserAgent    = "recording-sync-test/1.0"
	apiPrefix        = "/" + yeastartest.DefaultAPIPath + "/"
)

// newSim starts a simulator that accepts the test credentials.
func newSim(t *testing.T, opts yeastartest.Options) *yeastartest.Simulator {
	t.Helper()
	opts.ClientID, opts.ClientSecret = testClientID, testClientSecret
	sim := yeastartest.NewServer(opts)
	t.Cleanup(sim.Close)
	return sim
}

// wrappedSim serves the simulator behind a handler that answers the paths
// in routes itself, for faults the simulator cannot produce. It returns the
// simulator (for Stats and AddRecording) and the server to point a client at.
func wrappedSim(t *testing.T, opts yeastartest.Options, routes map[string]http.HandlerFunc) (*yeastartest.Simulator, *httptest.Server) {
	t.Helper()
	opts.ClientID, opts.ClientSecret = testClientID, testClientSecret
	sim := yeastartest.New(opts)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, ok := routes[r.URL.Path]; ok {
			h(w, r)
			return
		}
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		sim.Close()
		srv.CloseClientConnections()
		srv.Close()
	})
	return sim, srv
}

// newClient returns a client of baseURL with the test credentials and User-Agent.
func newClient(t *testing.T, baseURL string, opts yeastar.Options) *yeastar.Client {
	t.Helper()
	if opts.UserAgent == "" {
		opts.UserAgent = testUserAgent
	}
	c, err := yeastar.NewStandalone(baseURL, yeastar.Credentials{ClientID: testClientID, ClientSecret: testClientSecret}, &opts)
	if err != nil {
		t.Fatalf("New(%q): %v", baseURL, err)
	}
	return c
}

// newFakeClock is a settable clock for Options.Now.
func newFakeClock() *clocktest.Clock { return clocktest.New(time.Now()) }

// contentSum is the SHA-256 of the simulator's bytes [offset, size) of file.
func contentSum(t *testing.T, file string, size, offset int64) [sha256.Size]byte {
	t.Helper()
	h := sha256.New()
	if _, err := io.Copy(h, yeastartest.ContentAt(file, size, offset)); err != nil {
		t.Fatal(err)
	}
	return [sha256.Size]byte(h.Sum(nil))
}

// contentPrefix returns the first n bytes the simulator serves for file.
func contentPrefix(t *testing.T, file string, size, n int64) []byte {
	t.Helper()
	b, err := io.ReadAll(io.LimitReader(yeastartest.Content(file, size), n))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readSum reads r to its end and returns the byte count, the SHA-256 of the
// bytes and the read error (nil for a clean EOF).
func readSum(r io.Reader) (int64, [sha256.Size]byte, error) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	return n, [sha256.Size]byte(h.Sum(nil)), err
}

// linkFor adds rec to sim and asks c for its download link.
func linkFor(t *testing.T, c *yeastar.Client, sim *yeastartest.Simulator, rec yeastartest.Recording) yeastar.DownloadLink {
	t.Helper()
	sim.AddRecording(rec)
	link, err := c.RecordingDownloadLink(t.Context(), yeastar.RecordingQuery{ID: int64(rec.ID)})
	if err != nil {
		t.Fatalf("RecordingDownloadLink(%d): %v", rec.ID, err)
	}
	return link
}

// witness is a listener standing for another origin: it counts every
// connection and request that reaches it, which must stay zero.
type witness struct {
	srv   *httptest.Server
	conns atomic.Int64
	reqs  atomic.Int64
}

func newWitness(t *testing.T) *witness {
	t.Helper()
	w := &witness{}
	w.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.reqs.Add(1)
		rw.Header().Set("Content-Type", "audio/x-wav")
		_, _ = rw.Write(bytes.Repeat([]byte{0x80}, 2048))
	}))
	w.srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			w.conns.Add(1)
		}
	}
	w.srv.Start()
	t.Cleanup(w.srv.Close)
	return w
}

// host is the witness's host:port.
func (w *witness) host() string { return w.srv.Listener.Addr().String() }

// checkUntouched fails t if anything connected to the witness.
func (w *witness) checkUntouched(t *testing.T) {
	t.Helper()
	if n, r := w.conns.Load(), w.reqs.Load(); n != 0 || r != 0 {
		t.Errorf("other origin got %d connections and %d requests, want none", n, r)
	}
}

// hijackClose is a handler that closes the connection without answering.
func hijackClose(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil { // httptest's HTTP/1 server always supports Hijack
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_ = conn.Close()
}

// closedURL returns an http URL on a loopback port nothing listens on.
func closedURL(t *testing.T) string { return localenvtest.ClosedURL(t, "http") }
