package main

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/localenv/localenvtest"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

// The tests below prove the guarantees against the faults a PBX, a network
// and S3 throw, each through the built bootstrap under the emulator, and
// end by checking that the bucket holds exactly the source's bytes and no
// open multipart upload.

// copyAndVerify invokes the function for rec and checks the stored bytes
// and how they were written.
func (st *stack) copyAndVerify(t *testing.T, rec yeastartest.Recording) {
	t.Helper()
	inv := st.invoke(t, fmt.Sprintf(`{"id": %d}`, rec.ID))
	mustSucceed(t, inv)
	got, n := st.objectSHA256(t, inv.Key)
	if want := sourceSHA256(t, rec.File, rec.Size); got != want || n != rec.Size {
		t.Fatalf("stored %d bytes sha256 %s, want %d bytes sha256 %s", n, got, rec.Size, want)
	}
	st.assertWrittenAs(t, inv.Key, rec.Size)
	st.assertNoOpenUploads(t)
}

// testDroppedDownloadResumes: over HTTPS the 12 MiB recording is one
// streamed PutObject, which cannot be sent twice: a copy that resumed only
// from byte 0 would show a second full download.
func testDroppedDownloadResumes(t *testing.T, tls bool) {
	for _, disableRange := range []bool{false, true} {
		t.Run(fmt.Sprintf("range disabled=%v", disableRange), func(t *testing.T) {
			st := newStack(t, stackOptions{tls: tls, sim: yeastartest.Options{DisableRange: disableRange}})
			rec := yeastartest.Recording{ID: 7, File: recordingFile(7, "wav"), Size: 12 * mib}
			st.sim.AddRecording(rec)
			st.sim.DropDownloadAfter(rec.File, 3*mib, 1)
			st.copyAndVerify(t, rec)
			stats := st.sim.Stats()
			if stats.Faults != (yeastartest.FaultCounts{Dropped: 1}) {
				t.Errorf("faults fired: %+v, want one dropped download", stats.Faults)
			}
			if !disableRange {
				// One resumed request from the byte where the first stopped,
				// and no second full download: over HTTPS, into the same
				// PutObject.
				if want := []int64{0, 3 * mib}; !slices.Equal(stats.DownloadRanges, want) {
					t.Errorf("download requests started at %v, want %v", stats.DownloadRanges, want)
				}
				if stats.DownloadBytes != rec.Size {
					t.Errorf("the PBX sent %d bytes for a %d-byte recording", stats.DownloadBytes, rec.Size)
				}
				return
			}
			// The resumed request was answered with the whole file: the
			// copy restarted cleanly with a full download.
			if n := len(stats.DownloadRanges); n < 3 || stats.DownloadRanges[n-1] != 0 {
				t.Errorf("download requests started at %v, want a resume attempt then a full restart", stats.DownloadRanges)
			}
		})
	}
}

func testTransientPBXFaultsAreSurvived(t *testing.T, tls bool) {
	st := newStack(t, stackOptions{tls: tls})
	cases := []struct {
		name  string
		arm   func(file string)
		fired yeastartest.FaultCounts // what the copy must have survived
	}{
		{"download answers the JSON token error once", func(f string) {
			st.sim.DownloadBody(f, "application/json", `{"errcode":10004,"errmsg":"TOKEN EXPIRED"}`, 1)
		}, yeastartest.FaultCounts{Body: 1}},
		{"API answers -2 twice", func(string) { st.sim.FailAPI("recording/download", -2, 2) }, yeastartest.FaultCounts{API: 2}},
		{"recording answers 60001 twice before appearing", func(string) { st.sim.FailAPI("recording/download", 60001, 2) },
			yeastartest.FaultCounts{API: 2}},
		{"mp3 overload 70082 twice", func(string) { st.sim.FailAPI("recording/download", 70082, 2) }, yeastartest.FaultCounts{API: 2}},
		{"short body once", func(f string) { st.sim.ShortDownload(f, 5*mib, 1) }, yeastartest.FaultCounts{Short: 1}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := yeastartest.Recording{ID: 30 + i, File: recordingFile(30+i, "wav"), Size: 12 * mib}
			st.sim.AddRecording(rec)
			before := st.sim.Stats().Faults
			tc.arm(rec.File)
			st.copyAndVerify(t, rec)
			if got := st.sim.Stats().Faults.Since(before); got != tc.fired {
				t.Errorf("faults fired: %+v, want %+v", got, tc.fired)
			}
		})
	}
}

// testDeadlineAbortsCleanly: over HTTPS the deadline cuts a streamed
// PutObject, over HTTP a multipart upload.
func testDeadlineAbortsCleanly(t *testing.T, tls bool) {
	st := newStack(t, stackOptions{tls: tls, timeout: 5 * time.Second})
	rec := yeastartest.Recording{ID: 40, File: recordingFile(40, "wav"), Size: 16 * mib}
	st.sim.AddRecording(rec)
	// 2 MiB/s: the first part (or the streamed PutObject) is uploading when
	// the deadline nears, but the recording cannot finish in 5 s.
	st.sim.ThrottleDownload(rec.File, 2*mib)
	start := time.Now()
	inv := st.invoke(t, `{"id": 40}`)
	if inv.ErrorType != "TimeoutError" {
		t.Fatalf("response %s after %v, want a TimeoutError", inv.raw, time.Since(start))
	}
	if strings.Contains(string(inv.raw), "Task timed out") {
		t.Errorf("Lambda killed the invocation instead of the function stopping in time: %s", inv.raw)
	}
	if n := st.sim.Stats().Faults.Throttled; n == 0 {
		t.Errorf("no download was throttled: the deadline was never put to the test")
	}
	st.assertNothingStored(t)
}

// TestBadCredentialsAreNeverRetried: a failed login is never repeated by
// the invocation that made it, nor by the next ones for a while (the shared
// token cache remembers it), since five failed logins block the
// function's IP until an administrator unblocks it.
func TestBadCredentialsAreNeverRetried(t *testing.T) {
	st := newStack(t, stackOptions{clientSecret: "wrong-secret"})
	st.sim.AddRecording(yeastartest.Recording{ID: 1, File: recordingFile(1, "wav"), Size: mib})
	for i := 1; i <= 3; i++ {
		inv := st.invoke(t, `{"id": 1}`)
		if inv.ErrorType != "PermanentError" || !strings.Contains(inv.ErrorMessage, "get_token: errcode -1") {
			t.Fatalf("invocation %d: response %s, want a PermanentError naming the failed get_token", i, inv.raw)
		}
		if calls := st.sim.Stats().GetTokenCalls; calls != 1 {
			t.Fatalf("after %d invocations the PBX saw %d get_token calls, want exactly one", i, calls)
		}
	}
	st.assertNothingStored(t)
}

func TestMP3OneDownloadAtATime(t *testing.T) {
	first := newStack(t, stackOptions{sim: yeastartest.Options{MP3SingleDownload: true}})
	stacks := []*stack{first, first.sibling(t), first.sibling(t)}
	recs := make([]yeastartest.Recording, len(stacks))
	for i := range recs {
		recs[i] = yeastartest.Recording{ID: 50 + i, File: recordingFile(50+i, "mp3"), Size: 24 * mib}
		first.sim.AddRecording(recs[i])
		first.sim.ThrottleDownload(recs[i].File, 32*mib) // 0.75 s each: long enough to overlap
	}
	var wg sync.WaitGroup
	results := make([]invocation, len(stacks))
	for i, st := range stacks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = st.invoke(t, fmt.Sprintf(`{"id": %d}`, recs[i].ID))
		}()
	}
	wg.Wait()
	for i, inv := range results {
		mustSucceed(t, inv)
		got, _ := first.objectSHA256(t, inv.Key)
		if want := sourceSHA256(t, recs[i].File, recs[i].Size); got != want {
			t.Errorf("%s: stored bytes differ from the source", inv.Key)
		}
	}
	if n := first.sim.Stats().Faults.Throttled; n < len(recs) {
		t.Errorf("%d of %d downloads throttled", n, len(recs))
	}
	// Retried link requests show that the PBX's one-download rule was hit.
	if links := first.sim.Stats().APIRequests["recording/download"]; links <= len(recs) {
		t.Errorf("%d link requests for %d recordings: the downloads never overlapped, the test proved nothing", links, len(recs))
	}
	first.assertNoOpenUploads(t)
}

// TestSmallRecordingRoundTrips: a 1 MiB recording with a warm token takes
// the fewest round trips: one API call and one download on the PBX, one
// HeadObject and one PutObject on S3.
func TestSmallRecordingRoundTrips(t *testing.T) {
	proxy := localenvtest.FaultProxy(t, s3Server)
	st := newStack(t, stackOptions{s3Endpoint: proxy.URL})
	for _, id := range []int{1, 2} {
		st.sim.AddRecording(yeastartest.Recording{ID: id, File: recordingFile(id, "wav"), Size: mib})
	}
	mustSucceed(t, st.invoke(t, `{"id": 1}`)) // warms the token
	before := st.sim.Stats()
	_ = proxy.Requests()
	mustSucceed(t, st.invoke(t, `{"id": 2}`))
	after := st.sim.Stats()
	pbx := 0
	for endpoint, n := range after.APIRequests {
		pbx += n - before.APIRequests[endpoint]
	}
	pbx += after.DownloadsStarted - before.DownloadsStarted
	if pbx != 2 || after.DownloadsStarted-before.DownloadsStarted != 1 {
		t.Errorf("%d PBX requests (%d downloads), want 2: recording/download and the download", pbx, after.DownloadsStarted-before.DownloadsStarted)
	}
	reqs := proxy.Requests()
	if len(reqs) != 2 || !strings.HasPrefix(reqs[0], "HEAD ") || !strings.HasPrefix(reqs[1], "PUT ") || strings.Contains(reqs[1], "?") {
		t.Errorf("S3 requests %v, want exactly a HeadObject and a PutObject", reqs)
	}
}
