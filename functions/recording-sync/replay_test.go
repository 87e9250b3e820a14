package main

import (
	"encoding/json"
	"testing"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/recording"
)

// TestReplayOfOtherFormatCostsNoPBXRequest: a recording the PBX served as
// x.mp3 is stored under that name; a replayed call-end event naming x.wav
// (directly, or as the webhook queues it) finds it with HEADs alone: no
// recording/download request, no download, nothing stored anew. The
// simulator knows only x.mp3: asking it for x.wav would fail with 60001
// and walk the retry ladder.
func TestReplayOfOtherFormatCostsNoPBXRequest(t *testing.T) {
	st := newStack(t, stackOptions{})
	mp3 := recordingFile(30, "mp3")
	wav := recording.OtherFormat(mp3)
	st.sim.AddRecording(yeastartest.Recording{ID: 30, File: mp3, Size: 1 << 20})
	first := st.invoke(t, `{"id": 30}`)
	mustSucceed(t, first)

	before := st.sim.Stats()
	replay := st.invoke(t, `{"file": "`+wav+`"}`)
	mustSucceed(t, replay)
	if !replay.AlreadyStored || replay.Key != first.Key || replay.File != mp3 {
		t.Errorf("replay result %s, want alreadyStored under %s as %s", replay.raw, first.Key, mp3)
	}
	msg, err := json.Marshal(recording.Ref{File: wav, Call: &recording.Call{ID: "1649756030.12", TimeStart: "2022-04-12 17:33:31"}})
	if err != nil {
		t.Fatal(err)
	}
	if failed := st.invokeBatch(t, sqsBatch(string(msg))); len(failed) != 0 {
		t.Errorf("the queued replay failed: %v", failed)
	}
	after := st.sim.Stats()
	if after.APIRequests["recording/download"] != before.APIRequests["recording/download"] || after.DownloadsStarted != before.DownloadsStarted {
		t.Errorf("the replays reached the PBX: %d link requests and %d downloads before, %d and %d after",
			before.APIRequests["recording/download"], before.DownloadsStarted, after.APIRequests["recording/download"], after.DownloadsStarted)
	}
	st.assertNothingStoredBut(t, 1)
}
