package reconcile_test

import (
	"strings"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/recording"
)

// runWindow runs one backfill of [from, to] and checks its counts; the
// deployed role cannot HEAD recordings, so a listable template must not.
func (e *env) runWindow(from, to time.Time, stored, queued int) {
	e.t.Helper()
	res, err := e.reconciler(nil).Run(e.t.Context(), window(e.t, from, to))
	if err != nil {
		e.t.Fatal(err)
	}
	if !res.Complete || res.AlreadyStored != stored || res.Queued != queued || res.Invalid != 0 {
		e.t.Errorf("result %+v, want %d already stored and %d queued", res, stored, queued)
	}
	if n := e.s3.counts()["HeadObject"]; n != 0 {
		e.t.Errorf("%d HEAD requests with a listable template", n)
	}
}

// Pages are sorted by ID, keys by call start: a long call ends (and gets
// its ID) after shorter calls that started later, so its key sorts below
// keys an earlier page listed. It is still found by the listing.
func TestLongCallBelowListedKeysIsListed(t *testing.T) {
	e := newEnv(t, yeastartest.Options{MaxPageSize: 10})
	start := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC)
	e.add(start.Add(time.Minute), time.Minute, 1, 10, func(int) bool { return true })
	e.add(start, 0, 11, 1, func(int) bool { return true }) // the long call
	e.runWindow(start, start.Add(time.Hour), 11, 0)
}

// A file name without a leading date, under a template without dates, is
// listed under its own stem.
func TestUndatedNameIsListed(t *testing.T) {
	e := newEnv(t, yeastartest.Options{})
	e.keys, _ = recording.ParseKeyTemplate("recordings/{file}")
	at := time.Date(2026, 6, 2, 2, 0, 0, 0, time.UTC)
	for i, file := range []string{"call-1.wav", "call-2.wav"} {
		e.sim.AddRecording(yeastartest.Recording{ID: i + 1, File: file, Size: 8, Time: at})
	}
	e.store([]string{"recordings/call-1.wav"})
	e.runWindow(at.Add(-time.Minute), at.Add(time.Minute), 1, 1)
}

// The PBX serves a stereo recording searched as x.wav as x.mp3, and the
// copy function stores it under that name: it is stored, not missing.
func TestRecordingStoredInTheOtherFormatIsStored(t *testing.T) {
	e := newEnv(t, yeastartest.Options{})
	start := time.Date(2026, 6, 3, 2, 0, 0, 0, time.UTC)
	recs := e.add(start, time.Minute, 1, 3, nil)
	mp3 := strings.TrimSuffix(recs[1].File, ".wav") + ".mp3"
	key, err := e.keys.Key(mp3, int64(recs[1].ID))
	if err != nil {
		t.Fatal(err)
	}
	e.store([]string{key})
	e.runWindow(start, start.Add(time.Hour), 1, 2)
	assertQueuedOnce(t, e.queue, []int64{int64(recs[0].ID), int64(recs[2].ID)})
}
