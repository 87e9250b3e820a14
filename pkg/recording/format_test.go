package recording_test

import (
	"testing"

	"github.com/recording-sync/recording-sync/pkg/recording"
)

func TestOtherFormat(t *testing.T) {
	tests := map[string]string{
		"20220427190445-1651057476.362-2005-2002-Internal.wav": "20220427190445-1651057476.362-2005-2002-Internal.mp3",
		"20220427190445-1651057476.362-2005-2002-Internal.mp3": "20220427190445-1651057476.362-2005-2002-Internal.wav",
		"x.WAV":    "x.mp3",
		"x.Mp3":    "x.wav",
		"x.ogg":    "",
		"x":        "",
		"x.wav.gz": "",
	}
	for file, want := range tests {
		if got := recording.OtherFormat(file); got != want {
			t.Errorf("OtherFormat(%q) = %q, want %q", file, got, want)
		}
	}
}
