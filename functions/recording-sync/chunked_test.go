package main

import (
	"slices"
	"testing"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

// TestChunkedDownloadIsStoredWhole: a PBX that sends its downloads
// chunked, without Content-Length, gets them stored byte for byte.
func TestChunkedDownloadIsStoredWhole(t *testing.T) {
	st := newStack(t, stackOptions{sim: yeastartest.Options{ChunkedDownloads: true}})
	rec := yeastartest.Recording{ID: 71, File: recordingFile(71, "mp3"), Size: 20*mib + 4321}
	st.sim.AddRecording(rec)
	st.copyAndVerify(t, rec)
	if stats := st.sim.Stats(); stats.DownloadsStarted != 1 || stats.DownloadsCompleted != 1 || stats.DownloadBytes != rec.Size {
		t.Errorf("the PBX started %d, completed %d downloads and sent %d bytes; want one whole download of %d",
			stats.DownloadsStarted, stats.DownloadsCompleted, stats.DownloadBytes, rec.Size)
	}
}

// TestCutChunkedDownloadResumes: a chunked download cut before its last
// chunk is never stored as the recording: it resumes from the last byte
// received (the size then comes from Content-Range) or, where the PBX
// ignores Range, restarts.
func TestCutChunkedDownloadResumes(t *testing.T) {
	for _, tc := range []struct {
		name         string
		disableRange bool
		drop         bool
	}{
		{"short, resumed", false, false},
		{"dropped, resumed", false, true},
		{"short, range ignored", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := newStack(t, stackOptions{sim: yeastartest.Options{ChunkedDownloads: true, DisableRange: tc.disableRange}})
			rec := yeastartest.Recording{ID: 72, File: recordingFile(72, "wav"), Size: 20 * mib}
			st.sim.AddRecording(rec)
			if tc.drop {
				st.sim.DropDownloadAfter(rec.File, 3*mib, 1)
			} else {
				st.sim.ShortDownload(rec.File, 3*mib, 1)
			}
			st.copyAndVerify(t, rec)
			stats := st.sim.Stats()
			// The fault fired: the first download did not complete, and only
			// the last one did.
			if stats.DownloadsStarted < 2 || stats.DownloadsCompleted != 1 {
				t.Errorf("%d downloads started, %d completed; want a cut one, then one whole", stats.DownloadsStarted, stats.DownloadsCompleted)
			}
			if tc.disableRange {
				if n := len(stats.DownloadRanges); n < 3 || stats.DownloadRanges[n-1] != 0 {
					t.Errorf("download requests started at %v, want a resume attempt then a full restart", stats.DownloadRanges)
				}
				return
			}
			if want := []int64{0, 3 * mib}; !slices.Equal(stats.DownloadRanges, want) {
				t.Errorf("download requests started at %v, want %v", stats.DownloadRanges, want)
			}
			if stats.DownloadBytes != rec.Size {
				t.Errorf("the PBX sent %d bytes for a %d-byte recording", stats.DownloadBytes, rec.Size)
			}
		})
	}
}
