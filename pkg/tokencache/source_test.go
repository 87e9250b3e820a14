package tokencache

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/pkg/yeastar"
	"github.com/recording-sync/recording-sync/pkg/yeastar/yeastartest"
)

// TestSharedAmongInstances: many instances, each with concurrent callers,
// all get one token, and the PBX sees a single login.
func TestSharedAmongInstances(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		instances, calls int
	}{
		{"12 instances, 3 callers each", 12, 3},
		{"1 instance, 10 callers", 1, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sim := newPBX(t, yeastartest.Options{})
			store, _ := newStore(t)
			insts := newInstances(t, tt.instances, sim, store, fastOptions)
			var (
				wg     sync.WaitGroup
				mu     sync.Mutex
				tokens = map[string]int{}
			)
			for _, in := range insts {
				for range tt.calls {
					wg.Go(func() {
						tok, err := in.src.AccessToken(t.Context())
						if err != nil {
							t.Errorf("AccessToken: %v", err)
							return
						}
						mu.Lock()
						tokens[tok]++
						mu.Unlock()
					})
				}
			}
			wg.Wait()
			if len(tokens) != 1 {
				t.Fatalf("callers got %d different tokens, want 1 shared token", len(tokens))
			}
			for tok := range tokens {
				if !tokenAccepted(t, sim, tok) {
					t.Errorf("the PBX refuses the shared token")
				}
			}
			// The instances' clients use it too, without logging in again.
			for _, in := range insts {
				if _, err := in.client.RecordingDownloadLink(t.Context(), yeastar.RecordingQuery{ID: recordingID}); err != nil {
					t.Errorf("RecordingDownloadLink: %v", err)
				}
			}
			st := sim.Stats()
			if n := st.GetTokenCalls + st.Refreshes; n != 1 {
				t.Errorf("get_token + refresh_token = %d, want 1", n)
			}
			if st.MaxValidTokens > 2 {
				t.Errorf("MaxValidTokens = %d, want <= 2", st.MaxValidTokens)
			}
			if st.InvalidTokenRequests != 0 {
				t.Errorf("InvalidTokenRequests = %d, want 0", st.InvalidTokenRequests)
			}
		})
	}
}

// TestRenewalUnderLoad: with 2-second tokens, instances calling the PBX
// all the time always have a token it accepts, and renewals never leave
// more than two valid tokens.
func TestRenewalUnderLoad(t *testing.T) {
	t.Parallel()
	const run = 5 * time.Second
	tests := []struct {
		name string
		// refuseRefreshAt, if set, makes one refresh_token fail (errcode
		// -2) after this long: the renewal then needs get_token.
		refuseRefreshAt            time.Duration
		wantGetTokens, wantDeleted int
	}{
		{"refresh works", 0, 1, 0},
		{"one refresh refused", 2 * time.Second, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sim := newPBX(t, yeastartest.Options{AccessTokenLifetime: 2 * time.Second})
			store, _ := newStore(t)
			insts := newInstances(t, 4, sim, store, fastOptions)
			if tt.refuseRefreshAt > 0 {
				time.AfterFunc(tt.refuseRefreshAt, func() { sim.FailAPI("refresh_token", yeastar.CodeInternal, 1) })
			}
			stop := time.Now().Add(run)
			var wg sync.WaitGroup
			var mu sync.Mutex
			calls := 0
			for _, in := range insts {
				for range 2 {
					wg.Go(func() {
						for time.Now().Before(stop) {
							// The client renews and retries once on 10004, as
							// it must when another instance just refreshed.
							_, err := in.client.RecordingDownloadLink(t.Context(), yeastar.RecordingQuery{ID: recordingID})
							if err != nil {
								t.Errorf("RecordingDownloadLink: %v", err)
								return
							}
							mu.Lock()
							calls++
							mu.Unlock()
							time.Sleep(10 * time.Millisecond)
						}
					})
				}
			}
			wg.Wait()
			st := sim.Stats()
			t.Logf("%d calls; stats: get_token %d, refreshes %d, deleted %d, max valid %d, refused requests %d",
				calls, st.GetTokenCalls, st.Refreshes, st.DeletedTokens, st.MaxValidTokens, st.InvalidTokenRequests)
			if st.MaxValidTokens > 2 {
				t.Errorf("MaxValidTokens = %d, want <= 2", st.MaxValidTokens)
			}
			// One token lives 1.5s before it is due: 5s need at least 2 renewals.
			if st.Refreshes < 2 {
				t.Errorf("Refreshes = %d, want >= 2", st.Refreshes)
			}
			if st.GetTokenCalls != tt.wantGetTokens {
				t.Errorf("GetTokenCalls = %d, want %d", st.GetTokenCalls, tt.wantGetTokens)
			}
			if st.DeletedTokens != tt.wantDeleted {
				t.Errorf("DeletedTokens = %d, want %d", st.DeletedTokens, tt.wantDeleted)
			}
		})
	}
}

// TestBadCredentials: a refused login is tried once, by one instance; the
// others and later calls get the error without trying.
func TestBadCredentials(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 4} {
		t.Run(strings.Repeat("I", n), func(t *testing.T) {
			t.Parallel()
			sim := newPBX(t, yeastartest.Options{})
			store, _ := newStore(t)
			srcs := make([]*Source, n)
			for i := range srcs {
				srcs[i] = New(newClient(t, sim, "wrong-secret"), store, &fastOptions)
			}
			start := time.Now()
			for round := range 2 {
				var wg sync.WaitGroup
				for _, src := range srcs {
					wg.Go(func() {
						tok, err := src.AccessToken(t.Context())
						var apiErr *yeastar.APIError
						if !errors.As(err, &apiErr) || apiErr.Code != yeastar.CodeFailure {
							t.Errorf("round %d: AccessToken = %q, %v; want *yeastar.APIError code -1", round, tok, err)
							return
						}
						if strings.Contains(err.Error(), "wrong-secret") {
							t.Errorf("the error names the secret: %v", err)
						}
					})
				}
				wg.Wait()
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v to fail, want < 2s", d)
			}
			if got := sim.Stats().GetTokenCalls; got != 1 {
				t.Errorf("GetTokenCalls = %d, want exactly 1", got)
			}
		})
	}
}

// TestTokenLimit: when tokens issued elsewhere fill the PBX, AccessToken
// waits for a free slot or a shared token, until ctx ends.
func TestTokenLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		lifetime time.Duration
		timeout  time.Duration
		// free, if set, frees a slot after the source started waiting.
		free    func(t *testing.T, other *yeastar.Client, tokens []yeastar.Token)
		wantErr bool
	}{
		{"slot freed by revocation", 0, 10 * time.Second, func(t *testing.T, other *yeastar.Client, tokens []yeastar.Token) {
			if err := other.DeleteToken(t.Context(), tokens[0].Access); err != nil {
				t.Errorf("del_token: %v", err)
			}
		}, false},
		{"slot freed by expiry", 2 * time.Second, 10 * time.Second, nil, false},
		{"context ends first", 0, 700 * time.Millisecond, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sim := newPBX(t, yeastartest.Options{AccessTokenLifetime: tt.lifetime})
			other := newClient(t, sim, clientSecret)
			var filled []yeastar.Token
			for range yeastartest.DefaultMaxTokens {
				tok, err := other.GetToken(t.Context())
				if err != nil {
					t.Fatalf("fill the PBX: %v", err)
				}
				filled = append(filled, tok)
			}
			store, _ := newStore(t)
			insts := newInstances(t, 2, sim, store, fastOptions)
			ctx, cancel := context.WithTimeout(t.Context(), tt.timeout)
			defer cancel()
			type result struct {
				tok string
				err error
			}
			results := make(chan result, len(insts))
			start := time.Now()
			for _, in := range insts {
				go func() {
					tok, err := in.src.AccessToken(ctx)
					results <- result{tok, err}
				}()
			}
			if tt.free != nil {
				time.Sleep(600 * time.Millisecond)
				select {
				case r := <-results:
					t.Fatalf("AccessToken returned (%v) while the PBX was full", r.err)
				default:
				}
				if sim.Stats().GetTokenCalls <= yeastartest.DefaultMaxTokens {
					t.Errorf("the source did not try get_token")
				}
				tt.free(t, other, filled)
			}
			var got []string
			for range insts {
				r := <-results
				if tt.wantErr {
					var we *WaitError
					if !errors.As(r.err, &we) || !errors.Is(r.err, context.DeadlineExceeded) ||
						!errors.Is(r.err, &yeastar.APIError{Code: yeastar.CodeMaxLimitation}) {
						t.Errorf("AccessToken = %q, %v; want a *WaitError for the deadline after 60002", r.tok, r.err)
						continue
					}
					if r.tok != "" || !strings.Contains(r.err.Error(), "waiting for a free PBX token slot") {
						t.Errorf("AccessToken = %q, %q; want no token and an error naming the wait", r.tok, r.err)
					}
					assertNoTokenIn(t, sim, r.err.Error())
					continue
				}
				if r.err != nil {
					t.Errorf("AccessToken: %v", r.err)
					continue
				}
				got = append(got, r.tok)
			}
			elapsed := time.Since(start)
			if tt.wantErr {
				if elapsed > tt.timeout+time.Second {
					t.Errorf("returned after %v, want about %v", elapsed, tt.timeout)
				}
				return
			}
			if len(got) == 2 && got[0] != got[1] {
				t.Errorf("the instances got different tokens")
			}
			if len(got) > 0 && !tokenAccepted(t, sim, got[0]) {
				t.Errorf("the PBX refuses the token")
			}
			if st := sim.Stats(); st.TokensIssued != yeastartest.DefaultMaxTokens+1 {
				t.Errorf("TokensIssued = %d, want %d", st.TokensIssued, yeastartest.DefaultMaxTokens+1)
			}
		})
	}
}

// TestInvalidateToken: after the PBX revoked every token, the instances
// that see 10004 renew the shared token once between them; a report about
// a token that is no longer shared renews nothing.
func TestInvalidateToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		revoke     bool // RevokeAll before the instances report
		concurrent bool
		// One renewal: refresh_token, then get_token if it was refused.
		wantRefreshCalls, wantGetTokens int
	}{
		{"revoked, reported concurrently", true, true, 1, 1},
		{"revoked, reported one after another", true, false, 1, 1},
		{"still valid, reported anyway", false, true, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sim := newPBX(t, yeastartest.Options{})
			store, _ := newStore(t)
			insts := newInstances(t, 4, sim, store, fastOptions)
			old := make([]string, len(insts))
			for i, in := range insts {
				tok, err := in.src.AccessToken(t.Context())
				if err != nil {
					t.Fatalf("AccessToken: %v", err)
				}
				old[i] = tok
			}
			if tt.revoke {
				sim.RevokeAll()
			}
			before := sim.Stats()
			report := func(i int) string {
				insts[i].src.InvalidateToken(old[i])
				tok, err := insts[i].src.AccessToken(t.Context())
				if err != nil {
					t.Errorf("AccessToken after InvalidateToken: %v", err)
				}
				return tok
			}
			got := make([]string, len(insts))
			var wg sync.WaitGroup
			for i := range insts {
				if tt.concurrent {
					wg.Go(func() { got[i] = report(i) })
				} else {
					got[i] = report(i)
				}
			}
			wg.Wait()
			after := sim.Stats()
			refreshCalls := after.APIRequests["refresh_token"] - before.APIRequests["refresh_token"]
			getTokens := after.GetTokenCalls - before.GetTokenCalls
			if refreshCalls != tt.wantRefreshCalls || getTokens != tt.wantGetTokens {
				t.Errorf("refresh_token calls = %d, get_token calls = %d; want %d and %d (one renewal)",
					refreshCalls, getTokens, tt.wantRefreshCalls, tt.wantGetTokens)
			}
			for i := range got {
				if got[i] != got[0] || got[i] == old[i] {
					t.Fatalf("instance %d did not get the one new token", i)
				}
			}
			if !tokenAccepted(t, sim, got[0]) {
				t.Errorf("the PBX refuses the new token")
			}
			if st := sim.Stats(); st.MaxValidTokens > 2 || st.ValidTokens != 1 {
				t.Errorf("ValidTokens = %d, MaxValidTokens = %d; want 1 and <= 2", st.ValidTokens, st.MaxValidTokens)
			}
		})
	}
}

// TestCrashedHolder: a lease whose holder never comes back expires, and
// another instance takes over.
func TestCrashedHolder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		leaseFor time.Duration // from now; negative = already expired
		stale    bool          // the entry holds an expired token
	}{
		{"lease still running, no token", time.Second, false},
		{"lease still running, stale token", time.Second, true},
		{"lease expired", -time.Second, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sim := newPBX(t, yeastartest.Options{})
			store, _ := newStore(t)
			now := time.Now()
			var e Entry
			if tt.stale {
				e.Token = yeastar.Token{Access: "gone", Refresh: "gone", Issued: now.Add(-time.Hour),
					AccessExpires: now.Add(-30 * time.Minute), RefreshExpires: now.Add(-time.Minute)}
			}
			e.Lease = Lease{Holder: "crashed", Until: now.Add(tt.leaseFor)}
			if _, err := store.Save(t.Context(), e, ""); err != nil {
				t.Fatalf("Save: %v", err)
			}
			in := newInstances(t, 1, sim, store, fastOptions)[0]
			tok, err := in.src.AccessToken(t.Context())
			elapsed := time.Since(now)
			if err != nil {
				t.Fatalf("AccessToken: %v", err)
			}
			if elapsed < tt.leaseFor-100*time.Millisecond {
				t.Errorf("took over after %v, before the lease ran out (%v)", elapsed, tt.leaseFor)
			}
			if elapsed > max(tt.leaseFor, 0)+2*time.Second {
				t.Errorf("took over after %v, lease ran %v", elapsed, tt.leaseFor)
			}
			if !tokenAccepted(t, sim, tok) {
				t.Errorf("the PBX refuses the token")
			}
			if got := sim.Stats().GetTokenCalls; got != 1 {
				t.Errorf("GetTokenCalls = %d, want 1", got)
			}
			stored, _ := mustLoad(t, store)
			if stored.Token.Access != tok || stored.Lease != (Lease{}) {
				t.Errorf("stored entry holds another token or a lease %+v", stored.Lease)
			}
		})
	}
}

// TestStoredObject: the object holds the token pair and nothing else: no
// credentials, no lease once renewed, a few hundred bytes.
func TestStoredObject(t *testing.T) {
	t.Parallel()
	sim := newPBX(t, yeastartest.Options{})
	store, bucket := newStore(t)
	in := newInstances(t, 1, sim, store, fastOptions)[0]
	tok, err := in.src.AccessToken(t.Context())
	if err != nil {
		t.Fatalf("AccessToken: %v", err)
	}
	out, err := s3Client(t).GetObject(t.Context(), &s3.GetObjectInput{Bucket: &bucket, Key: aws.String(testKey)})
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	defer out.Body.Close()
	raw, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if len(raw) > 512 {
		t.Errorf("object is %d bytes, want <= 512", len(raw))
	}
	if ct := aws.ToString(out.ContentType); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	for _, secret := range []string{clientID, clientSecret} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("the object holds a credential: %s", raw)
		}
	}
	var obj struct {
		Token struct {
			Access         string    `json:"access_token"`
			Refresh        string    `json:"refresh_token"`
			Issued         time.Time `json:"issued"`
			AccessExpires  time.Time `json:"access_expires"`
			RefreshExpires time.Time `json:"refresh_expires"`
		} `json:"token"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&obj); err != nil {
		t.Fatalf("object has more than the token pair: %v\n%s", err, raw)
	}
	if obj.Token.Access != tok || obj.Token.Refresh == "" || !obj.Token.AccessExpires.After(obj.Token.Issued) {
		t.Errorf("object does not hold the token handed out")
	}
}
