package trigger

import (
	"time"

	"github.com/recording-sync/recording-sync/pkg/recording"
)

// TimeStartLayout is the layout of a 30012's time_start, the PBX's local
// time: "2022-04-27 19:04:36".
const TimeStartLayout = "2006-01-02 15:04:05"

// CallStart places call's time_start in time, reading the PBX's local
// clock as UTC: the PBX's time zone is not in the event, so the result
// may be off by up to 14 hours, and a judgement made with it needs that
// much margin. ok is false when time_start is absent or not in
// TimeStartLayout.
func CallStart(call recording.Call) (start time.Time, ok bool) {
	t, err := time.Parse(TimeStartLayout, call.TimeStart)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}
