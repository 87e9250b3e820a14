package main

import (
	"testing"

	"github.com/recording-sync/recording-sync/internal/sqstest"
)

func TestDescribeLost(t *testing.T) {
	calls := []call{{Size: 10}, {Size: 20, MP3: true, Fault: faultReset}, {Size: 30}, {Size: 40, Fault: faultBusy}}
	files := []string{"a.wav", "b.mp3", "c.wav", "d.wav"}
	stored := map[string]int64{"a.wav": 10, "c.wav": 29} // c.wav short: not stored whole
	msgs := []sqstest.Message{
		{Body: `{"file":"b.mp3"}`, ReceiveCount: 1},
		{Body: `{"file":"c.wav"}`, ReceiveCount: 2, Visible: true},
	}
	got := describeLost(calls, files, stored, msgs)
	want := "not stored: by format .mp3 1, .wav 2; by fault busy 1, none 1, reset 1; " +
		"their messages deleted 1, in flight, received 1× 1, visible, received 2× 1; " +
		"e.g. b.mp3 (20 bytes), c.wav (30 bytes), d.wav (40 bytes)"
	if got != want {
		t.Errorf("describeLost =\n%s\nwant\n%s", got, want)
	}
}
