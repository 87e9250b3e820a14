package trigger_test

import (
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/trigger"
)

func TestCallStart(t *testing.T) {
	tests := []struct {
		timeStart string
		want      time.Time
		ok        bool
	}{
		{"2022-04-27 19:04:36", time.Date(2022, 4, 27, 19, 4, 36, 0, time.UTC), true},
		{"", time.Time{}, false},
		{"04/27/2022 19:04:36", time.Time{}, false}, // another date format: not placed
		{"2022-04-27T19:04:36Z", time.Time{}, false},
		{"2022-02-30 10:00:00", time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := trigger.CallStart(recording.Call{TimeStart: tt.timeStart})
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("CallStart(%q) = %v, %v; want %v, %v", tt.timeStart, got, ok, tt.want, tt.ok)
		}
	}
}
