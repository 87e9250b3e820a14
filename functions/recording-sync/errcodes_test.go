package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/copier"
)

// linkRequests runs copy with the PBX answering recording/download with
// errcode every time, and returns the invocation, the link requests it
// made and the API faults that fired.
func (st *stack) linkRequests(t *testing.T, rec yeastartest.Recording, errcode int) (invocation, int, int) {
	t.Helper()
	st.sim.AddRecording(rec)
	before := st.sim.Stats()
	st.sim.FailAPI("recording/download", errcode, 1000)
	defer st.sim.FailAPI("recording/download", 0, 0)
	inv := st.invoke(t, fmt.Sprintf(`{"id": %d}`, rec.ID))
	after := st.sim.Stats()
	links := after.APIRequests["recording/download"] - before.APIRequests["recording/download"]
	return inv, links, after.Faults.Since(before.Faults).API
}

// TestFirmwareWithoutTheEndpointIsPermanent: a PBX whose firmware lacks
// recording/download (10001) or the API version (10003) fails the copy
// at once, as a PermanentError that says the PBX needs a firmware
// upgrade, after a single link request: no retry changes the answer.
func TestFirmwareWithoutTheEndpointIsPermanent(t *testing.T) {
	st := newStack(t, stackOptions{})
	for i, code := range []int{yeastartest.ErrCodeInterfaceNotExisted, yeastartest.ErrCodeAPIVersionUnsupported} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			rec := yeastartest.Recording{ID: 60 + i, File: recordingFile(60+i, "wav"), Size: mib}
			inv, links, fired := st.linkRequests(t, rec, code)
			want := []string{fmt.Sprintf("errcode %d", code), "firmware does not offer recording/download", "firmware upgrade"}
			if inv.ErrorType != "PermanentError" || !containsAll(inv.ErrorMessage, want) {
				t.Errorf("response %s, want a PermanentError naming %q", inv.raw, want)
			}
			if links != 1 || fired != 1 {
				t.Errorf("%d link requests, %d answered %d by the PBX; want exactly one: no retries", links, fired, code)
			}
		})
	}
	if n := st.sim.Stats().DownloadsStarted; n != 0 {
		t.Errorf("%d downloads started without a link", n)
	}
	st.assertNothingStored(t)
}

// TestUnlistedErrcodeIsRetriedAsTransient: an errcode Yeastar's table
// does not list (99999 here) is transient, as docs/yeastar-errors.md
// says: the copy asks for a link once per attempt of the transient
// policy, a bounded number, then fails as a RetryableError naming the
// code.
func TestUnlistedErrcodeIsRetriedAsTransient(t *testing.T) {
	const unlisted = 99999
	if _, listed := copier.CodeClass(unlisted); listed {
		t.Fatalf("errcode %d is in the table: the test needs one that is not", unlisted)
	}
	st := newStack(t, stackOptions{})
	rec := yeastartest.Recording{ID: 62, File: recordingFile(62, "wav"), Size: mib}
	inv, links, fired := st.linkRequests(t, rec, unlisted)
	if inv.ErrorType != "RetryableError" || !strings.Contains(inv.ErrorMessage, fmt.Sprintf("errcode %d", unlisted)) {
		t.Errorf("response %s, want a RetryableError naming errcode %d", inv.raw, unlisted)
	}
	if strings.Contains(inv.ErrorMessage, "firmware") {
		t.Errorf("response %s blames the firmware for an unlisted code", inv.raw)
	}
	want := copier.DefaultTransientRetry.Attempts
	if links != want || fired != want {
		t.Errorf("%d link requests, %d answered %d by the PBX; want %d, one per attempt", links, fired, unlisted, want)
	}
	st.assertNothingStored(t)
}

// containsAll reports whether s contains every one of subs.
func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
