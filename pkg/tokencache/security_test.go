package tokencache

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/redact"
	"github.com/recording-sync/recording-sync/pkg/seal"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// readObject returns the raw token object in bucket and its Content-Type.
func readObject(t *testing.T, bucket string) ([]byte, string) {
	t.Helper()
	out, err := s3Client(t).GetObject(t.Context(), &s3.GetObjectInput{Bucket: &bucket, Key: aws.String(testKey)})
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	defer out.Body.Close()
	raw, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return raw, aws.ToString(out.ContentType)
}

// writeObject stores raw as the token object in bucket, as anyone with
// s3:PutObject on the bucket can.
func writeObject(t *testing.T, bucket string, raw []byte) {
	t.Helper()
	if _, err := s3Client(t).PutObject(t.Context(), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String(testKey), Body: bytes.NewReader(raw)}); err != nil {
		t.Fatalf("put: %v", err)
	}
}

// encodings returns the forms in which s could show in an object: as is,
// hex, and base64 (standard and URL alphabets) at each of the three byte
// alignments, without the characters the neighbouring bytes would change.
func encodings(s string) []string {
	out := []string{s, hex.EncodeToString([]byte(s))}
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		for pad := range 3 {
			e := enc.EncodeToString([]byte(strings.Repeat("\x00", pad) + s))
			out = append(out, e[4:len(e)-4])
		}
	}
	return out
}

// TestObjectRevealsNoToken: whoever can read the bucket reads the token
// object and learns no token and no credential, in any encoding. Only the
// client secret opens it, where it is stored.
func TestObjectRevealsNoToken(t *testing.T) {
	t.Parallel()
	sim := newPBX(t, yeastartest.Options{})
	store, bucket := newStore(t)
	clock := newFakeClock(true)
	in := newInstances(t, 1, sim, store, testOptions(clock), clock)[0]
	tok, err := in.src.AccessToken(t.Context())
	if err != nil {
		t.Fatalf("AccessToken: %v", err)
	}
	raw, contentType := readObject(t, bucket)
	secrets := append(sim.IssuedTokens(), clientSecret, clientID)
	if len(secrets) != 4 {
		t.Fatalf("the PBX issued %d tokens, want one pair", len(secrets)-2)
	}
	for _, secret := range secrets {
		for _, form := range encodings(secret) {
			if bytes.Contains(raw, []byte(form)) {
				t.Errorf("the object shows a secret (as %q)", form)
			}
		}
	}
	if bytes.Contains(raw, []byte("token")) || bytes.Contains(raw, []byte("lease")) {
		t.Error("the object shows its structure")
	}
	if len(raw) > 512 || raw[0] != seal.Version || contentType != "application/octet-stream" {
		t.Errorf("object: %d bytes, first byte %#x, Content-Type %q; want <= 512 sealed bytes", len(raw), raw[0], contentType)
	}
	// The documented key and place open it: the token pair, nothing else.
	k, err := seal.NewKey(clientSecret, SealPurpose)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := k.Open(raw, []byte("s3://"+bucket+"/"+testKey))
	if err != nil {
		t.Fatalf("the object does not open as documented: %v", err)
	}
	var e struct {
		Token yeastar.Token `json:"token"`
	}
	dec := json.NewDecoder(bytes.NewReader(plain))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("the sealed entry holds more than the token pair: %v", err)
	}
	if e.Token.Access != tok || e.Token.Refresh == "" || !e.Token.AccessExpires.After(e.Token.Issued) {
		t.Errorf("the sealed entry does not hold the token handed out")
	}
}

// TestPoisonedObject: whatever someone with write access to the bucket
// puts in the token object (without the client secret), and whatever a
// sealed entry claims beyond the bounds the PBX and the package allow, the
// instance neither waits, nor fails, nor uses a token it did not obtain,
// nor refreshes or deletes it: it logs in once and replaces the object.
func TestPoisonedObject(t *testing.T) {
	t.Parallel()
	farFuture := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
	type setup struct {
		t      *testing.T
		bucket string
		store  *S3Store
		now    time.Time
		victim yeastar.Token // a live token issued to someone else
	}
	plaintext := func(e Entry) func(s setup) {
		return func(s setup) {
			b, err := json.Marshal(e)
			if err != nil {
				s.t.Fatal(err)
			}
			writeObject(s.t, s.bucket, b)
		}
	}
	sealedWith := func(secret string, e func(s setup) Entry) func(s setup) {
		return func(s setup) {
			if _, err := mustStore(s.t, s.bucket, secret).Save(s.t.Context(), e(s), ""); err != nil {
				s.t.Fatal(err)
			}
		}
	}
	sealed := func(e func(s setup) Entry) func(s setup) { return sealedWith(clientSecret, e) }
	attacker := yeastar.Token{Access: "attacker-access-token-0123456789", Refresh: "attacker-refresh-token-0123456789",
		Issued: time.Now(), AccessExpires: farFuture, RefreshExpires: farFuture}
	// victimEntry holds the victim's token, due for renewal: a holder would
	// refresh it, or log in and revoke it as superseded.
	victimEntry := func(s setup) Entry {
		v := s.victim
		v.Issued, v.AccessExpires = s.now.Add(-29*time.Minute-30*time.Second), s.now.Add(30*time.Second)
		return Entry{Token: v}
	}
	tests := []struct {
		name   string
		poison func(s setup)
	}{
		{"plaintext lease, errcode -1, far future", plaintext(Entry{Lease: Lease{Holder: "attacker", Until: farFuture, Code: yeastar.CodeFailure}})},
		{"lease errcode -1 sealed under another secret", sealedWith("attacker-secret-0123", func(setup) Entry {
			return Entry{Lease: Lease{Holder: "attacker", Until: farFuture, Code: yeastar.CodeFailure}}
		})},
		{"sealed lease errcode -1 beyond the bound", sealed(func(s setup) Entry {
			return Entry{Lease: Lease{Holder: "attacker", Until: s.now.Add(maxLease + time.Minute), Code: yeastar.CodeFailure}}
		})},
		{"plaintext lease, errcode 0, far future", plaintext(Entry{Lease: Lease{Holder: "attacker", Until: farFuture}})},
		{"sealed lease errcode 0 beyond the bound", sealed(func(s setup) Entry {
			return Entry{Lease: Lease{Holder: "attacker", Until: s.now.Add(maxLease + time.Minute)}}
		})},
		{"sealed lease with an unknown errcode", sealed(func(s setup) Entry {
			return Entry{Lease: Lease{Holder: "attacker", Until: s.now.Add(time.Minute), Code: 70004}}
		})},
		{"plaintext attacker token, far expiry", plaintext(Entry{Token: attacker})},
		{"sealed token living past 30 minutes", sealed(func(s setup) Entry {
			tok := attacker
			tok.Issued, tok.AccessExpires, tok.RefreshExpires = s.now, s.now.Add(31*time.Minute), s.now.Add(time.Hour)
			return Entry{Token: tok}
		})},
		{"sealed token issued in the future", sealed(func(s setup) Entry {
			tok := attacker
			tok.Issued = s.now.Add(time.Hour)
			tok.AccessExpires, tok.RefreshExpires = tok.Issued.Add(30*time.Minute), tok.Issued.Add(time.Hour)
			return Entry{Token: tok}
		})},
		{"sealed refresh token living past 24 hours", sealed(func(s setup) Entry {
			tok := attacker
			tok.Issued, tok.AccessExpires, tok.RefreshExpires = s.now, s.now.Add(30*time.Minute), s.now.Add(25*time.Hour)
			return Entry{Token: tok}
		})},
		{"plaintext victim token", func(s setup) { plaintext(victimEntry(s))(s) }},
		{"plaintext victim token with a bad refresh token", func(s setup) {
			e := victimEntry(s)
			e.Token.Refresh = "not-a-refresh-token"
			plaintext(e)(s)
		}},
		{"victim token sealed under another secret", sealedWith("attacker-secret-0123", victimEntry)},
		{"victim token sealed for another bucket", func(s setup) {
			other := server.NewBucket(s.t)
			if _, err := mustStore(s.t, other, clientSecret).Save(s.t.Context(), victimEntry(s), ""); err != nil {
				s.t.Fatal(err)
			}
			raw, _ := readObject(s.t, other)
			writeObject(s.t, s.bucket, raw)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sim := newPBX(t, yeastartest.Options{})
			victim, err := newAuth(t, sim, clientSecret, nil).GetToken(t.Context())
			if err != nil {
				t.Fatalf("victim's login: %v", err)
			}
			store, bucket := newStore(t)
			clock := newFakeClock(false)
			tt.poison(setup{t: t, bucket: bucket, store: store, now: clock.Now(), victim: victim})
			_, poisoned := mustLoad(t, store)
			before := sim.Stats()

			in := newInstances(t, 1, sim, store, testOptions(clock), clock)[0]
			done := askToken(t.Context(), in.src)
			slept := make(chan error, 1)
			go func() { slept <- clock.WaitSleepers(t.Context(), 1) }()
			var r tokenResult
			select {
			case r = <-done:
			case <-slept: //nolint:errcheck // any value means the instance went to sleep
				clock.SetAuto() // let it finish, then fail
				t.Fatal("the instance waits on the poisoned object")
			}
			if r.err != nil {
				t.Fatalf("AccessToken: %v", r.err)
			}
			if r.tok == victim.Access || r.tok == attacker.Access || !tokenAccepted(t, sim, r.tok) {
				t.Errorf("the instance uses a token it did not obtain, or one the PBX refuses")
			}
			after := sim.Stats()
			if n := after.GetTokenCalls - before.GetTokenCalls; n != 1 {
				t.Errorf("get_token calls = %d, want 1", n)
			}
			// The victim's token was neither refreshed nor deleted: the PBX
			// still accepts it.
			if after.APIRequests["refresh_token"] != 0 || after.APIRequests["del_token"] != 0 {
				t.Errorf("refresh_token calls %d, del_token calls %d; want none",
					after.APIRequests["refresh_token"], after.APIRequests["del_token"])
			}
			if !tokenAccepted(t, sim, victim.Access) {
				t.Error("the victim's token was revoked")
			}
			// The object was replaced, conditionally on the poisoned version.
			stored, version := mustLoad(t, store)
			if stored.Token.Access != r.tok || version == poisoned {
				t.Errorf("the object was not replaced by the new token")
			}
		})
	}
}

// TestTokensReadAreRegistered: an instance that takes the token from the
// object, never having seen it issued, registers the access and the
// refresh token for redaction.
func TestTokensReadAreRegistered(t *testing.T) {
	t.Parallel()
	sim, store, clock := newRig(t, true)
	insts := newInstances(t, 1, sim, store, testOptions(clock), clock)
	if _, err := insts[0].src.AccessToken(t.Context()); err != nil {
		t.Fatal(err)
	}
	red := redact.New()
	opts := testOptions(clock)
	opts.Secrets = red
	reader := New(newAuth(t, sim, clientSecret, clock), store, &opts)
	if _, err := reader.AccessToken(context.WithoutCancel(t.Context())); err != nil {
		t.Fatal(err)
	}
	issued := sim.IssuedTokens()
	if len(issued) != 2 {
		t.Fatalf("the PBX issued %d tokens, want one pair", len(issued))
	}
	for _, tok := range issued {
		if got := red.String("x " + tok + " y"); got != "x REDACTED y" {
			t.Errorf("a token read from the object is not registered: %q", got)
		}
	}
}
