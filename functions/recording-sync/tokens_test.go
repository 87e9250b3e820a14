package main

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/clocktest"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

// instances starts n function instances (execution environments) sharing
// one simulator and bucket.
func instances(t *testing.T, n int, opts stackOptions) []*stack {
	t.Helper()
	first := newStack(t, opts)
	all := []*stack{first}
	for len(all) < n {
		all = append(all, first.sibling(t))
	}
	return all
}

// invokeAll runs rounds of invocations, in each of which every instance
// invokes once, the instances in parallel, each for its own recording; it
// calls between after each round but the last. Then it checks every
// stored object.
func invokeAll(t *testing.T, all []*stack, rounds int, between func()) {
	t.Helper()
	sim := all[0].sim
	recs := make([][]yeastartest.Recording, len(all))
	for i := range all {
		for r := range rounds {
			id := 100 + i*rounds + r
			rec := yeastartest.Recording{ID: id, File: recordingFile(id%100, "wav")[:14] + fmt.Sprintf("-%d.1-2001-2002-Internal.wav", id), Size: mib}
			sim.AddRecording(rec)
			recs[i] = append(recs[i], rec)
		}
	}
	for r := range rounds {
		if r > 0 {
			between()
		}
		var wg sync.WaitGroup
		for i, st := range all {
			wg.Go(func() {
				rec := recs[i][r]
				inv := st.invoke(t, fmt.Sprintf(`{"id": %d}`, rec.ID))
				if inv.ErrorType != "" || inv.Bytes != rec.Size {
					t.Errorf("instance %d, recording %d: %s", i, rec.ID, inv.raw)
				}
			})
		}
		wg.Wait()
	}
	for i := range recs {
		for _, rec := range recs[i] {
			key := fmt.Sprintf("recordings/%s/%s/%s/%s", rec.File[0:4], rec.File[4:6], rec.File[6:8], rec.File)
			if got, n := all[0].objectSHA256(t, key); n != rec.Size || got != sourceSHA256(t, rec.File, rec.Size) {
				t.Errorf("%s: stored bytes differ from the source", key)
			}
		}
	}
	all[0].assertNoOpenUploads(t)
}

func TestInstancesShareOneToken(t *testing.T) {
	all := instances(t, 12, stackOptions{})
	invokeAll(t, all, 3, func() {})
	s := all[0].sim.Stats()
	if s.MaxValidTokens > 2 {
		t.Errorf("the PBX held %d valid tokens at once, want at most 2", s.MaxValidTokens)
	}
	if n := s.GetTokenCalls + s.Refreshes; n > 3 || s.GetTokenCalls == 0 {
		t.Errorf("%d get_token and %d refresh_token calls for 36 invocations, want at most 3 in all", s.GetTokenCalls, s.Refreshes)
	}
	if s.InvalidTokenRequests != 0 {
		t.Errorf("%d requests with an invalid token", s.InvalidTokenRequests)
	}
}

// TestShortLivedTokens: the PBX's clock moves 1.5 s between rounds of
// invocations, so its 2 s tokens expire while the instances still hold
// them (their own clocks barely moved): the instances learn it from the
// PBX's 10004 and renew the shared token, without waiting real time.
func TestShortLivedTokens(t *testing.T) {
	clock := clocktest.New(time.Now())
	all := instances(t, 3, stackOptions{sim: yeastartest.Options{AccessTokenLifetime: 2 * time.Second, Now: clock.Now}})
	invokeAll(t, all, 7, func() { clock.Advance(1500 * time.Millisecond) })
	s := all[0].sim.Stats()
	if s.Refreshes+s.GetTokenCalls < 4 {
		t.Errorf("%d refreshes and %d get_token calls over 10.5 s of 2 s tokens: the tokens were never renewed", s.Refreshes, s.GetTokenCalls)
	}
	if s.MaxValidTokens > 2 {
		t.Errorf("the PBX held %d valid tokens at once, want at most 2", s.MaxValidTokens)
	}
}
