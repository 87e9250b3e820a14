package main

import (
	"fmt"
	"sync"
	"testing"
	"time"

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

// invokeAll runs rounds invocations on every instance, the instances in
// parallel, each for its own recording, and checks every stored object.
func invokeAll(t *testing.T, all []*stack, rounds int, pause time.Duration) {
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
	var wg sync.WaitGroup
	for i, st := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r, rec := range recs[i] {
				if r > 0 {
					time.Sleep(pause)
				}
				inv := st.invoke(t, fmt.Sprintf(`{"id": %d}`, rec.ID))
				if inv.ErrorType != "" || inv.Bytes != rec.Size {
					t.Errorf("instance %d, recording %d: %s", i, rec.ID, inv.raw)
				}
			}
		}()
	}
	wg.Wait()
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
	invokeAll(t, all, 3, 0)
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

func TestShortLivedTokens(t *testing.T) {
	all := instances(t, 3, stackOptions{sim: yeastartest.Options{AccessTokenLifetime: 2 * time.Second}})
	// Each instance invokes every 1.5 s for about 10 s: tokens expire and
	// are renewed between and during invocations.
	invokeAll(t, all, 7, 1500*time.Millisecond)
	s := all[0].sim.Stats()
	if s.Refreshes+s.GetTokenCalls < 4 {
		t.Errorf("%d refreshes and %d get_token calls over 10 s of 2 s tokens: the tokens were never renewed", s.Refreshes, s.GetTokenCalls)
	}
	if s.MaxValidTokens > 2 {
		t.Errorf("the PBX held %d valid tokens at once, want at most 2", s.MaxValidTokens)
	}
}
