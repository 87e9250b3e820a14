package tokencache

import (
	"errors"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// TestSecretRotationFailsOncePerInstance: after the client secret is
// rotated on the PBX, instances still holding the old one cannot open the
// object written under the new one (nor the new instances theirs), so the
// failed-login lease does not hold across the two secrets. What bounds the
// failed logins is each instance's own memory: an instance whose get_token
// failed with -1 never tries again, whatever the object says and however
// long it runs. The instance with the new secret keeps working throughout.
func TestSecretRotationFailsOncePerInstance(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(true)
	sim := newPBX(t, yeastartest.Options{Now: clock.Now}) // accepts clientSecret only: the new one
	_, bucket := newStore(t)
	opts := testOptions(clock)
	const oldSecret = "old-client-secret-before-rotation"
	fresh := New(newAuth(t, sim, clientSecret, clock), mustStore(t, bucket, clientSecret), &opts)
	stale := []*Source{
		New(newAuth(t, sim, oldSecret, clock), mustStore(t, bucket, oldSecret), &opts),
		New(newAuth(t, sim, oldSecret, clock), mustStore(t, bucket, oldSecret), &opts),
	}
	if _, err := fresh.AccessToken(t.Context()); err != nil {
		t.Fatalf("new-secret instance: %v", err)
	}
	wantRefused := func(when string, src *Source) {
		t.Helper()
		_, err := src.AccessToken(t.Context())
		var apiErr *yeastar.APIError
		if !errors.As(err, &apiErr) || apiErr.Code != yeastar.CodeFailure {
			t.Errorf("%s: old-secret AccessToken = %v, want an error of code -1", when, err)
		}
	}
	// The first old-secret instance cannot open the new object, logs in,
	// fails, and leaves a failed-login lease under the old key.
	wantRefused("first", stale[0])
	// The second one honours that lease for its 5 minutes, then tries once.
	wantRefused("within the hold", stale[1])
	clock.Advance(failedLoginHold + time.Minute)
	wantRefused("after the hold", stale[1])
	if got := sim.Stats().GetTokenCalls; got != 3 {
		t.Fatalf("get_token calls = %d, want 3: one good login, one failure per old-secret instance", got)
	}
	// Neither tries again, however long it stays warm, even when the object
	// is rewritten under the new secret (so that it holds no lease they can
	// read) or their own failed-login lease has expired.
	for _, step := range []time.Duration{failedLoginHold, 40 * time.Minute, 3 * time.Hour} {
		clock.Advance(step)
		if _, err := fresh.AccessToken(t.Context()); err != nil {
			t.Fatalf("new-secret instance after %v: %v", step, err)
		}
		for _, src := range stale {
			wantRefused("later", src)
		}
	}
	st := sim.Stats()
	failed := st.GetTokenCalls - st.TokensIssued
	if failed != 2 {
		t.Errorf("failed logins = %d (get_token calls %d, tokens issued %d), want 2: one per old-secret instance",
			failed, st.GetTokenCalls, st.TokensIssued)
	}
}
