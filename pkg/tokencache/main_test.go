package tokencache

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/internal/localenv/localenvtest"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// The S3 server is shared by all tests of the binary and started by the
// first test that needs it.
var server localenvtest.Server

func TestMain(m *testing.M) { localenvtest.S3Main(m, &server) }

// s3Client returns a client of the shared server.
func s3Client(t *testing.T) *s3.Client {
	t.Helper()
	return server.Client(t)
}

const testKey = "pbx/token.json"

// newStore returns a store in a bucket of its own, sealed under clientSecret.
func newStore(t *testing.T) (*S3Store, string) {
	t.Helper()
	bucket := server.NewBucket(t)
	return mustStore(t, bucket, clientSecret), bucket
}

// mustStore returns the store of the test key in bucket, sealed under secret.
func mustStore(t *testing.T, bucket, secret string) *S3Store {
	t.Helper()
	s, err := NewS3Store(s3Client(t), bucket, testKey, secret)
	if err != nil {
		t.Fatalf("NewS3Store: %v", err)
	}
	return s
}

// The PBX's credentials and one recording to check tokens with.
const (
	clientID     = "test-client-id"
	clientSecret = "test-client-secret-7f3a"
	recordingID  = 1
)

// newPBX starts a simulator accepting clientID/clientSecret.
func newPBX(t *testing.T, opts yeastartest.Options) *yeastartest.Simulator {
	t.Helper()
	opts.ClientID, opts.ClientSecret = clientID, clientSecret
	sim := yeastartest.NewServer(opts)
	t.Cleanup(sim.Close)
	sim.AddRecording(yeastartest.Recording{ID: recordingID, File: "20220412173331-1649756009.12-2002-2005-Internal.wav", Size: 1024})
	return sim
}

// newRig starts a PBX and a store of their own, and a clock that moves
// by itself when auto.
func newRig(t *testing.T, auto bool) (*yeastartest.Simulator, *S3Store, *fakeClock) {
	t.Helper()
	sim := newPBX(t, yeastartest.Options{})
	store, _ := newStore(t)
	return sim, store, newFakeClock(auto)
}

// tokenResult is what one AccessToken call returned.
type tokenResult struct {
	tok string
	err error
}

// askToken asks src for a token with ctx in the background; the answer
// comes on the returned channel.
func askToken(ctx context.Context, src *Source) <-chan tokenResult {
	done := make(chan tokenResult, 1)
	go func() {
		tok, err := src.AccessToken(ctx)
		done <- tokenResult{tok, err}
	}()
	return done
}

// newAuth returns the login client of the PBX, logging in with secret,
// on clock (nil: the real one).
func newAuth(t *testing.T, sim *yeastartest.Simulator, secret string, clock *fakeClock) *yeastar.Auth {
	t.Helper()
	a, err := yeastar.NewAuth(sim.URL(), yeastar.Credentials{ClientID: clientID, ClientSecret: secret}, clientOptions(clock))
	if err != nil {
		t.Fatalf("yeastar auth: %v", err)
	}
	return a
}

func clientOptions(clock *fakeClock) *yeastar.Options {
	if clock == nil {
		return nil
	}
	return &yeastar.Options{Now: clock.Now}
}

// instance is one simulated function instance: its own PBX client, whose
// tokens come from its own Source.
type instance struct {
	client *yeastar.Client
	src    *Source
}

// newInstances returns n instances sharing store, on opts' clock.
func newInstances(t *testing.T, n int, sim *yeastartest.Simulator, store Store, opts Options, clock *fakeClock) []instance {
	t.Helper()
	out := make([]instance, n)
	for i := range out {
		o := opts
		o.HolderID = fmt.Sprintf("instance-%d", i)
		src := New(newAuth(t, sim, clientSecret, clock), store, &o)
		c, err := yeastar.New(sim.URL(), src, clientOptions(clock))
		if err != nil {
			t.Fatalf("yeastar client: %v", err)
		}
		out[i] = instance{client: c, src: src}
	}
	return out
}

// testOptions keep the tests short and run them on clock. The lease is
// long: in auto mode, instances waiting for a renewal move the clock, and
// must not make the lease of the one renewing run out.
func testOptions(clock *fakeClock) Options {
	return Options{PollInterval: 50 * time.Millisecond, LeaseDuration: 2 * time.Minute, Now: clock.Now, Sleep: clock.Sleep}
}

// checkClient is the HTTP client of tokenAccepted.
var checkClient = &http.Client{Timeout: 10 * time.Second}

// tokenAccepted asks the simulator whether it accepts token, the way any
// API call would, without the client's renew-and-retry.
func tokenAccepted(t *testing.T, sim *yeastartest.Simulator, token string) bool {
	t.Helper()
	u := sim.URL() + "/openapi/v1.0/recording/download?id=1&access_token=" + url.QueryEscape(token)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", "tokencache-test")
	resp, err := checkClient.Do(req)
	if err != nil {
		t.Fatalf("check token: %v", err)
	}
	defer resp.Body.Close()
	var body struct {
		ErrCode int `json:"errcode"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("check token: %v", err)
	}
	return body.ErrCode == 0
}

// assertNoTokenIn fails if s contains any token the simulator issued.
func assertNoTokenIn(t *testing.T, sim *yeastartest.Simulator, s string) {
	t.Helper()
	for _, tok := range sim.IssuedTokens() {
		if strings.Contains(s, tok) {
			t.Errorf("a PBX token leaked into %q", s)
		}
	}
}
