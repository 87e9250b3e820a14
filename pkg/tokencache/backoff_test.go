package tokencache

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// TestLoginBackoffStopsAfterFailuresInARow: three failed logins in a row
// stop the next ones for the backoff period; then one login is let
// through, and a success starts the count afresh.
func TestLoginBackoffStopsAfterFailuresInARow(t *testing.T) {
	clock := newFakeClock(false)
	b := NewLoginBackoff(3, time.Minute, clock.Now)
	fail := errors.New("connection refused")
	for i := 1; i <= 2; i++ {
		b.record(fail)
		if err := b.check(); err != nil {
			t.Fatalf("after %d failures: %v, want logins allowed", i, err)
		}
	}
	b.record(fail)
	var be *BackoffError
	if err := b.check(); !errors.As(err, &be) || be.Failures != 3 || !be.Until.Equal(clock.Now().Add(time.Minute)) {
		t.Fatalf("after 3 failures: %v, want a BackoffError of 3 failures until a minute from now", err)
	}
	clock.Advance(time.Minute)
	if err := b.check(); err != nil {
		t.Fatalf("after the backoff: %v, want one login allowed", err)
	}
	b.record(fail) // the trial login fails: stopped again at once
	if err := b.check(); !errors.As(err, &be) || be.Failures != 4 {
		t.Fatalf("after a failed trial: %v, want a BackoffError of 4 failures", err)
	}
	clock.Advance(time.Minute)
	b.record(nil)
	b.record(fail)
	if err := b.check(); err != nil {
		t.Fatalf("one failure after a success: %v, want logins allowed", err)
	}
}

// TestSourceFailsFastWhileItsPBXIsDown: a Source whose PBX refuses
// connections tries 3 logins, then refuses renewals without asking the PBX
// (a BackoffError), until the backoff has passed.
func TestSourceFailsFastWhileItsPBXIsDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	accepted := make(chan struct{}, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- struct{}{}
			_ = c.Close() // every login fails: the connection is dropped unanswered
		}
	}()
	t.Cleanup(func() { _ = ln.Close() })
	store, _ := newStore(t)
	clock := newFakeClock(false)
	auth, err := yeastar.NewAuth(url, yeastar.Credentials{ClientID: clientID, ClientSecret: clientSecret}, &yeastar.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	opts := testOptions(clock)
	opts.LoginBackoff = NewLoginBackoff(3, time.Minute, clock.Now)
	src := New(auth, store, &opts)
	for i := 1; i <= 3; i++ {
		if _, err := src.AccessToken(t.Context()); err == nil || errors.As(err, new(*BackoffError)) {
			t.Fatalf("login %d: %v, want the connection's error", i, err)
		}
	}
	logins := len(accepted)
	if logins < 3 {
		t.Fatalf("the PBX saw %d connections, want at least 3 (one per login)", logins)
	}
	if _, err := src.AccessToken(t.Context()); !errors.As(err, new(*BackoffError)) {
		t.Fatalf("4th AccessToken: %v, want a BackoffError", err)
	}
	if len(accepted) != logins {
		t.Errorf("the PBX saw %d connections during the backoff, want none", len(accepted)-logins)
	}
	clock.Advance(time.Minute)
	if _, err := src.AccessToken(t.Context()); err == nil || errors.As(err, new(*BackoffError)) {
		t.Fatalf("after the backoff: %v, want one more login, failing", err)
	}
	if len(accepted) == logins {
		t.Errorf("no login after the backoff")
	}
}

// TestBadCredentialsCountOnce: a login refused for bad credentials counts
// one failure, and the Source, which never retries those, stays at one
// login: the backoff never lets a fifth reach the PBX.
func TestBadCredentialsCountOnce(t *testing.T) {
	sim := newPBX(t, yeastartest.Options{})
	store, _ := newStore(t)
	clock := newFakeClock(false)
	opts := testOptions(clock)
	opts.LoginBackoff = NewLoginBackoff(3, time.Minute, clock.Now)
	src := New(newAuth(t, sim, "wrong-secret", clock), store, &opts)
	for range 5 {
		if _, err := src.AccessToken(t.Context()); err == nil {
			t.Fatal("AccessToken with a wrong secret succeeded")
		}
	}
	if n := sim.Stats().FailedLogins; n != 1 {
		t.Errorf("the PBX saw %d failed logins, want 1", n)
	}
}
