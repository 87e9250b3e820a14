package tokencache

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
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
			sim, store, clock := newRig(t, true)
			insts := newInstances(t, tt.instances, sim, store, testOptions(clock), clock)
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

// TestRenewalUnderLoad: instances calling the PBX all the time, over
// hours of fake time, always have a token it accepts, and renewals never
// leave more than two valid tokens. Time moves between rounds of calls
// (and when an instance waits for another's renewal); the simulator's
// tokens, on real time, stay valid until refreshed or revoked.
func TestRenewalUnderLoad(t *testing.T) {
	t.Parallel()
	const (
		run  = 3 * time.Hour
		step = 5 * time.Minute
	)
	tests := []struct {
		name string
		// refuseRefreshAt, if set, makes one refresh_token fail (errcode
		// -2) after this long: the renewal then needs get_token.
		refuseRefreshAt            time.Duration
		wantGetTokens, wantDeleted int
	}{
		{"refresh works", 0, 1, 0},
		{"one refresh refused", time.Hour, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sim, store, clock := newRig(t, true)
			opts := testOptions(clock)
			// A quarter of the token's life: with 5-minute steps, every
			// renewal happens while the old token is still valid.
			opts.RefreshMargin = 10 * time.Minute
			insts := newInstances(t, 4, sim, store, opts, clock)
			start, refused := clock.Now(), false
			calls := 0
			for clock.Now().Sub(start) < run {
				if tt.refuseRefreshAt > 0 && !refused && clock.Now().Sub(start) >= tt.refuseRefreshAt {
					sim.FailAPI("refresh_token", yeastar.CodeInternal, 1)
					refused = true
				}
				var wg sync.WaitGroup
				for _, in := range insts {
					for range 2 {
						wg.Go(func() {
							// The client renews and retries once on 10004, as
							// it must when another instance just refreshed.
							_, err := in.client.RecordingDownloadLink(t.Context(), yeastar.RecordingQuery{ID: recordingID})
							if err != nil {
								t.Errorf("RecordingDownloadLink: %v", err)
							}
						})
					}
				}
				wg.Wait()
				if t.Failed() {
					return
				}
				calls += 2 * len(insts)
				clock.Advance(step)
			}
			st := sim.Stats()
			t.Logf("%d calls; stats: get_token %d, refreshes %d, deleted %d, max valid %d, refused requests %d",
				calls, st.GetTokenCalls, st.Refreshes, st.DeletedTokens, st.MaxValidTokens, st.InvalidTokenRequests)
			if st.MaxValidTokens > 2 {
				t.Errorf("MaxValidTokens = %d, want <= 2", st.MaxValidTokens)
			}
			// A 30-minute token is due after 29 minutes: 3 hours need at
			// least 5 renewals.
			if renewals := st.Refreshes + st.GetTokenCalls - 1; renewals < 5 {
				t.Errorf("renewals = %d, want >= 5", renewals)
			}
			if refused && st.Faults.API != 1 {
				t.Errorf("API faults fired = %d, want the refused refresh", st.Faults.API)
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
			sim, store, clock := newRig(t, true)
			opts := testOptions(clock)
			srcs := make([]*Source, n)
			for i := range srcs {
				srcs[i] = New(newAuth(t, sim, "wrong-secret", clock), store, &opts)
			}
			start := clock.Now()
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
			// The others learnt of the failure from the lease it left,
			// without waiting for the lease of the login to run out.
			if d := clock.Now().Sub(start); d >= opts.LeaseDuration {
				t.Errorf("took %v of the clock to fail, want less than the lease (%v)", d, opts.LeaseDuration)
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
	// start fills the PBX, then starts two instances asking for a token
	// with ctx, and returns once both wait on the clock: one after its
	// get_token got 60002, the other for the lease that one left.
	start := func(t *testing.T, ctx context.Context) (*yeastartest.Simulator, *yeastar.Auth, []yeastar.Token, *fakeClock, chan tokenResult) {
		sim := newPBX(t, yeastartest.Options{})
		other := newAuth(t, sim, clientSecret, nil)
		var filled []yeastar.Token
		for range yeastartest.DefaultMaxTokens {
			tok, err := other.GetToken(t.Context())
			if err != nil {
				t.Fatalf("fill the PBX: %v", err)
			}
			filled = append(filled, tok)
		}
		store, _ := newStore(t)
		clock := newFakeClock(false)
		insts := newInstances(t, 2, sim, store, testOptions(clock), clock)
		results := make(chan tokenResult, len(insts))
		for _, in := range insts {
			go func() {
				tok, err := in.src.AccessToken(ctx)
				results <- tokenResult{tok, err}
			}()
		}
		// Past the first wait (at most 1.5 poll intervals), but not past
		// the 5 poll intervals before get_token is tried again: both now
		// wait on the lease that records the 60002.
		for range 2 {
			if err := clock.WaitSleepers(t.Context(), 2); err != nil {
				t.Fatalf("the instances never waited: %v", err)
			}
			clock.Advance(75 * time.Millisecond)
		}
		if err := clock.WaitSleepers(t.Context(), 2); err != nil {
			t.Fatalf("the instances never waited: %v", err)
		}
		select {
		case r := <-results:
			t.Fatalf("AccessToken returned (%v) while the PBX was full", r.err)
		default:
		}
		if st := sim.Stats(); st.GetTokenCalls != yeastartest.DefaultMaxTokens+1 {
			t.Fatalf("get_token calls = %d, want %d: the fill and one try", st.GetTokenCalls, yeastartest.DefaultMaxTokens+1)
		}
		return sim, other, filled, clock, results
	}

	t.Run("slot freed by revocation", func(t *testing.T) {
		t.Parallel()
		sim, other, filled, clock, results := start(t, t.Context())
		if err := other.DeleteToken(t.Context(), filled[0].Access); err != nil {
			t.Fatalf("del_token: %v", err)
		}
		clock.SetAuto()
		var got []string
		for range 2 {
			r := <-results
			if r.err != nil {
				t.Fatalf("AccessToken: %v", r.err)
			}
			got = append(got, r.tok)
		}
		if got[0] != got[1] {
			t.Errorf("the instances got different tokens")
		}
		if !tokenAccepted(t, sim, got[0]) {
			t.Errorf("the PBX refuses the token")
		}
		if st := sim.Stats(); st.TokensIssued != yeastartest.DefaultMaxTokens+1 {
			t.Errorf("TokensIssued = %d, want %d", st.TokensIssued, yeastartest.DefaultMaxTokens+1)
		}
	})

	t.Run("context ends first", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		sim, _, _, _, results := start(t, ctx)
		cancel()
		for range 2 {
			r := <-results
			var we *WaitError
			if !errors.As(r.err, &we) || !errors.Is(r.err, context.Canceled) ||
				!errors.Is(r.err, &yeastar.APIError{Code: yeastar.CodeMaxLimitation}) {
				t.Errorf("AccessToken = %q, %v; want a *WaitError for the context after 60002", r.tok, r.err)
				continue
			}
			if r.tok != "" || !strings.Contains(r.err.Error(), "waiting for a free PBX token slot") {
				t.Errorf("AccessToken = %q, %q; want no token and an error naming the wait", r.tok, r.err)
			}
			assertNoTokenIn(t, sim, r.err.Error())
		}
	})
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
			sim, store, clock := newRig(t, true)
			insts := newInstances(t, 4, sim, store, testOptions(clock), clock)
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
			if tt.revoke != (after.Faults.Revoked > 0) {
				t.Errorf("requests refused as revoked = %d, revoked %v", after.Faults.Revoked, tt.revoke)
			}
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
// another instance takes over, not before.
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
			sim, store, clock := newRig(t, false)
			now := clock.Now()
			var e Entry
			if tt.stale {
				e.Token = yeastar.Token{Access: "gone", Refresh: "gone", Issued: now.Add(-time.Hour),
					AccessExpires: now.Add(-30 * time.Minute), RefreshExpires: now.Add(-time.Minute)}
			}
			e.Lease = Lease{Holder: "crashed", Until: now.Add(tt.leaseFor)}
			if _, err := store.Save(t.Context(), e, ""); err != nil {
				t.Fatalf("Save: %v", err)
			}
			in := newInstances(t, 1, sim, store, testOptions(clock), clock)[0]
			done := askToken(t.Context(), in.src)
			if tt.leaseFor > 0 {
				// The instance waits for the lease, and has not logged in.
				if err := clock.WaitSleepers(t.Context(), 1); err != nil {
					t.Fatal(err)
				}
				if got := sim.Stats().GetTokenCalls; got != 0 {
					t.Fatalf("GetTokenCalls = %d while the lease runs, want 0", got)
				}
				clock.SetAuto()
			}
			r := <-done
			if r.err != nil {
				t.Fatalf("AccessToken: %v", r.err)
			}
			// It took over once the lease ran out: within a poll interval
			// (at most 1.5 with jitter) of its end.
			if elapsed := clock.Now().Sub(now); elapsed < tt.leaseFor || elapsed > max(tt.leaseFor, 0)+75*time.Millisecond {
				t.Errorf("took over after %v of the clock, lease ran %v", elapsed, tt.leaseFor)
			}
			if !tokenAccepted(t, sim, r.tok) {
				t.Errorf("the PBX refuses the token")
			}
			if got := sim.Stats().GetTokenCalls; got != 1 {
				t.Errorf("GetTokenCalls = %d, want 1", got)
			}
			stored, _ := mustLoad(t, store)
			if stored.Token.Access != r.tok || stored.Lease != (Lease{}) {
				t.Errorf("stored entry holds another token or a lease %+v", stored.Lease)
			}
		})
	}
}
