package yeastartest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/clocktest"
)

const (
	testClientID     = "client-id"
	testClientSecret = "client-secret"
	testUA           = "recording-sync-test/1.0"
)

// newTestSim starts a simulator with the test credentials, closed at cleanup.
func newTestSim(t *testing.T, opts Options) *Simulator {
	t.Helper()
	if opts.ClientID == "" {
		opts.ClientID, opts.ClientSecret = testClientID, testClientSecret
	}
	s := NewServer(opts)
	t.Cleanup(s.Close)
	return s
}

// apiResp holds every field any endpoint answers.
type apiResp struct {
	ErrCode                int    `json:"errcode"`
	ErrMsg                 string `json:"errmsg"`
	AccessToken            string `json:"access_token"`
	AccessTokenExpireTime  int    `json:"access_token_expire_time"`
	RefreshToken           string `json:"refresh_token"`
	RefreshTokenExpireTime int    `json:"refresh_token_expire_time"`
	File                   string `json:"file"`
	DownloadResourceURL    string `json:"download_resource_url"`
}

// testClient is a plain HTTP client of one simulator.
type testClient struct {
	t    *testing.T
	s    *Simulator
	base string // the simulator's URL
	hc   *http.Client
	ua   string
}

func newTestClient(t *testing.T, s *Simulator) *testClient {
	return &testClient{t: t, s: s, base: s.URL(), hc: &http.Client{Timeout: 30 * time.Second}, ua: testUA}
}

// newMemSim returns a simulator with the test credentials and no server,
// for newMemClient; it is closed at cleanup.
func newMemSim(t *testing.T, opts Options) *Simulator {
	opts.ClientID, opts.ClientSecret = testClientID, testClientSecret
	s := New(opts)
	t.Cleanup(s.Close)
	return s
}

// newMemClient returns a client that calls s's handler in process, without
// a network. Inside a synctest bubble the simulator's throttle then runs on
// the bubble's fake clock: a connection is not a durable block, a handler
// call is. Each answer is whole once the handler returns.
func newMemClient(t *testing.T, s *Simulator) *testClient {
	return &testClient{t: t, s: s, base: "http://pbx.test", hc: &http.Client{Transport: memTransport{s}}, ua: testUA}
}

// memTransport answers each request by calling a handler with a recorder.
type memTransport struct{ h http.Handler }

func (m memTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.RemoteAddr = "192.0.2.1:1234" // as a server sets it: the login blocking's key
	r.RequestURI = r.URL.RequestURI()
	if r.Body == nil {
		r.Body = http.NoBody // a server's request always has a body
	}
	rec := httptest.NewRecorder()
	m.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// newFakeClock is a settable clock for Options.Now.
func newFakeClock() *clocktest.Clock { return clocktest.New(time.Now()) }

// getRequest returns a GET of u with ctx and the client's User-Agent,
// for a test that sends it itself (in another goroutine, say).
func (c *testClient) getRequest(ctx context.Context, u string) *http.Request {
	c.t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("User-Agent", c.ua)
	return req
}

// do sends req with the client's User-Agent ("" sends none).
func (c *testClient) do(req *http.Request) *http.Response {
	c.t.Helper()
	req.Header.Set("User-Agent", c.ua) // "" makes net/http send no User-Agent
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	return resp
}

// api calls endpoint: GET with query q when body is nil, else POST body as JSON.
func (c *testClient) api(endpoint string, q url.Values, body any) apiResp {
	c.t.Helper()
	u := c.base + "/" + DefaultAPIPath + "/" + endpoint + "?" + q.Encode()
	method, payload := http.MethodGet, io.Reader(nil)
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		method, payload = http.MethodPost, bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(c.t.Context(), method, u, payload)
	if err != nil {
		c.t.Fatal(err)
	}
	resp := c.do(req)
	defer resp.Body.Close()
	return decodeResp(c.t, resp)
}

// getJSON calls endpoint with GET and query q, and decodes the answer
// into v.
func (c *testClient) getJSON(endpoint string, q url.Values, v any) {
	c.t.Helper()
	u := c.base + "/" + DefaultAPIPath + "/" + endpoint + "?" + q.Encode()
	resp := c.do(c.getRequest(c.t.Context(), u))
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		c.t.Fatal(err)
	}
}

// decodeResp checks a PBX-style answer (HTTP 200, JSON) and decodes it.
func decodeResp(t *testing.T, resp *http.Response) apiResp {
	t.Helper()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type = %q, want application/json", ct)
	}
	var r apiResp
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return r
}

// login calls get_token with creds.
func (c *testClient) login(user, pass string) apiResp {
	c.t.Helper()
	return c.api("get_token", nil, map[string]string{"username": user, "password": pass})
}

// token logs in with the right credentials and returns the access token.
func (c *testClient) token() string {
	c.t.Helper()
	r := c.login(testClientID, testClientSecret)
	if r.ErrCode != 0 {
		c.t.Fatalf("get_token: errcode %d %s", r.ErrCode, r.ErrMsg)
	}
	return r.AccessToken
}

// link asks recording/download for a link to the recording with id.
func (c *testClient) link(tok string, id int) apiResp {
	c.t.Helper()
	return c.api("recording/download", url.Values{"access_token": {tok}, "id": {strconv.Itoa(id)}}, nil)
}

// downloadURL returns the full URL of a fresh download link for id.
func (c *testClient) downloadURL(tok string, id int) string {
	c.t.Helper()
	r := c.link(tok, id)
	if r.ErrCode != 0 {
		c.t.Fatalf("recording/download id %d: errcode %d %s", id, r.ErrCode, r.ErrMsg)
	}
	return c.base + r.DownloadResourceURL + "?access_token=" + url.QueryEscape(tok)
}

// download GETs u, with a Range header unless rng is "".
func (c *testClient) download(u, rng string) *http.Response {
	c.t.Helper()
	req := c.getRequest(c.t.Context(), u)
	if rng != "" {
		req.Header.Set("Range", rng)
	}
	return c.do(req)
}

// contentBytes returns Content(file, size)[from:to].
func contentBytes(t *testing.T, file string, size, from, to int64) []byte {
	t.Helper()
	all, err := io.ReadAll(Content(file, size))
	if err != nil {
		t.Fatal(err)
	}
	return all[from:to]
}
