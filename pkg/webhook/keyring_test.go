package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/clocktest"
	"github.com/recording-sync/recording-sync/pkg/webhook"
)

// store is a secret store whose value the test changes; it counts reads.
type store struct {
	value string
	err   error // returned instead of the value
	reads int
}

var errNotStored = errors.New("secret pbx/webhook: no webhook secret stored yet")

func (s *store) fetch(context.Context) (string, error) {
	s.reads++
	if s.err != nil {
		return "", s.err
	}
	if s.value == "" {
		return "", errNotStored
	}
	return s.value, nil
}

// keyed is a handler whose secrets come from a store through a Keyring.
type keyed struct {
	h     *webhook.Handler
	s     *sender
	store *store
	clock *clocktest.Clock
	logs  *bytes.Buffer
}

func newKeyed(t *testing.T, st *store) *keyed {
	t.Helper()
	k := &keyed{s: &sender{}, store: st, clock: clocktest.New(arrival), logs: &bytes.Buffer{}}
	h, err := webhook.NewHandler(webhook.NewKeyring(st.fetch, k.clock.Now), k.s, slog.New(slog.NewJSONHandler(k.logs, nil)),
		&webhook.Options{Now: k.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	k.h = h
	return k
}

// post sends withRecord signed with key (unsigned for "") and checks the
// status and the store's reads so far.
func (k *keyed) post(t *testing.T, key string, status, reads int) {
	t.Helper()
	k.logs.Reset()
	sig := ""
	if key != "" {
		sig = webhook.Sign([]byte(withRecord), key)
	}
	resp, err := k.h.Handle(t.Context(), request("POST", withRecord, sig))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != status {
		t.Errorf("at %v: status %d, want %d (log %s)", k.clock.Now().Sub(arrival), resp.StatusCode, status, k.logs)
	}
	if k.store.reads != reads {
		t.Errorf("at %v: %d reads of the secret, want %d", k.clock.Now().Sub(arrival), k.store.reads, reads)
	}
	if strings.Count(k.logs.String(), "\n") != 1 {
		t.Errorf("want one log line, got %q", k.logs)
	}
	for _, v := range []string{secret, newSecret} {
		if strings.Contains(k.logs.String(), v) {
			t.Errorf("log shows a secret: %s", k.logs)
		}
	}
}

const newSecret = "Pq7Wn3Ks9Lm2Vb8Xc4Zr6Ty1Hg5Jd0Fa" // what a rotation makes

// TestSecretAppears: a stack deployed before the PBX made the secret
// answers 503 with one clear line, reads the store at most once a minute,
// and queues as soon as a read finds the secret, without a restart.
func TestSecretAppears(t *testing.T) {
	k := newKeyed(t, &store{})
	k.post(t, secret, 503, 1)
	if !strings.Contains(k.logs.String(), `"reason":"no usable webhook secret yet, read again at most once a minute: secret pbx/webhook: no webhook secret stored yet"`) {
		t.Errorf("the 503's line does not say why: %s", k.logs)
	}
	k.clock.Advance(30 * time.Second)
	k.post(t, secret, 503, 1) // not read again within the minute
	k.store.value = secret
	k.clock.Set(arrival.Add(webhook.RereadInterval - time.Second))
	k.post(t, secret, 503, 1)
	k.clock.Set(arrival.Add(webhook.RereadInterval))
	k.post(t, secret, 200, 2)
	k.clock.Set(arrival.Add(webhook.RereadInterval + webhook.MaxSecretAge - time.Second))
	k.post(t, secret, 200, 2) // a secret held is not read again before MaxSecretAge
	k.clock.Set(arrival.Add(webhook.RereadInterval + webhook.MaxSecretAge))
	k.post(t, secret, 200, 3) // then it is, so that a rotation reaches it
	if len(k.s.refs) != 3 {
		t.Errorf("%d queued, want 3", len(k.s.refs))
	}
}

// TestSecretRotation: after the PBX's secret changes, a request signed
// with the new one makes the webhook read the store again (at most once a
// minute); the old secret stays accepted for PreviousSecretGrace, no
// longer.
func TestSecretRotation(t *testing.T) {
	k := newKeyed(t, &store{value: secret})
	k.post(t, secret, 200, 1)
	k.store.value = newSecret
	k.clock.Advance(10 * time.Second)
	k.post(t, newSecret, 401, 1) // read less than a minute ago: not again
	rotated := arrival.Add(webhook.RereadInterval)
	k.clock.Set(rotated)
	k.post(t, newSecret, 200, 2) // re-read after the mismatch, checked again
	k.post(t, secret, 200, 2)    // the previous secret, during the grace
	k.post(t, "", 401, 2)        // unsigned: no read
	// Within the grace the secret held is still read every MaxSecretAge,
	// and finds nothing new.
	for at := webhook.MaxSecretAge; at < webhook.PreviousSecretGrace; at += webhook.MaxSecretAge {
		k.clock.Set(rotated.Add(at))
		k.post(t, secret, 200, 2+int(at/webhook.MaxSecretAge))
	}
	reads := k.store.reads
	k.clock.Set(rotated.Add(webhook.PreviousSecretGrace))
	k.post(t, secret, 401, reads+1) // grace over: the old one is refused
	k.post(t, newSecret, 200, reads+1)
}

// TestRotationReachesAnEnvironmentThatSeesOnlyTheOldSecret: an execution
// environment that only ever gets requests signed with the old secret (so
// never a signature failure) still reads the store within MaxSecretAge,
// and then refuses the old secret once PreviousSecretGrace has passed: the
// old secret is accepted at most MaxSecretAge + PreviousSecretGrace after
// the store changed.
func TestRotationReachesAnEnvironmentThatSeesOnlyTheOldSecret(t *testing.T) {
	k := newKeyed(t, &store{value: secret})
	k.post(t, secret, 200, 1)
	k.store.value = newSecret // rotated at arrival
	k.clock.Set(arrival.Add(webhook.MaxSecretAge))
	k.post(t, secret, 200, 2) // read again: new current, old in its grace
	k.clock.Set(arrival.Add(webhook.MaxSecretAge + webhook.PreviousSecretGrace))
	k.post(t, secret, 401, 3) // one read: the secret held had aged again
	k.post(t, newSecret, 200, 3)
}

// TestBadSignatureFloodReadsOncePerMinute: badly signed requests cost at
// most one read of the store a minute.
func TestBadSignatureFloodReadsOncePerMinute(t *testing.T) {
	k := newKeyed(t, &store{value: secret})
	k.post(t, secret, 200, 1)
	for i := range 100 {
		k.clock.Set(arrival.Add(time.Duration(i) * time.Second))
		k.post(t, "a guessed secret!", 401, 1+i/60)
	}
}

// TestSecretRefused: a secret shorter than MinSecretLen is refused (503,
// one clear line) and read again a minute later; a store that fails after
// the secret was read keeps the secret in use.
func TestSecretRefused(t *testing.T) {
	k := newKeyed(t, &store{value: "pending"})
	k.post(t, secret, 503, 1)
	if !strings.Contains(k.logs.String(), "secret shorter than 16 bytes refused (the PBX generates 32 characters)") {
		t.Errorf("the 503's line does not say why: %s", k.logs)
	}
	k.store.value = secret
	k.clock.Advance(webhook.RereadInterval)
	k.post(t, secret, 200, 2)
	k.store.err = fmt.Errorf("read secret pbx/webhook: %w", context.DeadlineExceeded)
	k.clock.Advance(webhook.RereadInterval)
	k.post(t, newSecret, 401, 3) // the store fails: the secret held stays
	k.post(t, secret, 200, 3)
}

// TestStaticSecretTooShort: a local PBX_WEBHOOK_SECRET under 16 bytes is
// refused on every request.
func TestStaticSecretTooShort(t *testing.T) {
	var logs bytes.Buffer
	h, err := webhook.NewHandler(webhook.StaticKeyring("short-secret"), &sender{}, slog.New(slog.NewJSONHandler(&logs, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := h.Handle(t.Context(), request("POST", withRecord, webhook.Sign([]byte(withRecord), "short-secret")))
	if resp.StatusCode != 503 || !strings.Contains(logs.String(), "shorter than 16 bytes") {
		t.Errorf("status %d, log %s; want 503 naming the length", resp.StatusCode, logs.String())
	}
}
