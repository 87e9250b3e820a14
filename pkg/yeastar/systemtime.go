package yeastar

import (
	"fmt"
	"time"
)

// dateLayouts maps system_date_format values to Go layouts: the one
// Yeastar's guide shows (YYYY/MM/DD) and the month-first and day-first
// orders. The guide lists no other values.
var dateLayouts = map[string]string{
	"YYYY/MM/DD": "2006/01/02",
	"MM/DD/YYYY": "01/02/2006",
	"DD/MM/YYYY": "02/01/2006",
}

// ParseSystemTime reads a system_time such as "2025/08/22 16:44:40" written
// in dateFormat (system_date_format: YYYY/MM/DD, MM/DD/YYYY or DD/MM/YYYY)
// and a 24-hour hh:mm:ss time. The result is the PBX's wall-clock time,
// labelled UTC: the PBX does not say its zone (see UTCOffset).
func ParseSystemTime(value, dateFormat string) (time.Time, error) {
	layout, ok := dateLayouts[dateFormat]
	if !ok {
		return time.Time{}, fmt.Errorf("yeastar: unknown system_date_format %q", dateFormat)
	}
	t, err := time.Parse(layout+" 15:04:05", value)
	if err != nil {
		return time.Time{}, fmt.Errorf("yeastar: system_time %q is not %s hh:mm:ss", value, dateFormat)
	}
	return t, nil
}

// offsetStep is what a UTC offset is rounded to: every zone in use is a
// multiple of 15 minutes, and system_time and timestamp may be read a
// moment apart.
const offsetStep = 15 * time.Minute

// UTCOffset is the PBX's offset from UTC: its wall-clock system_time minus
// the instant timestamp, rounded to 15 minutes. It fails when system_time
// cannot be read or the offset lies outside UTC-12:00..UTC+14:00.
func (i SystemInfo) UTCOffset() (time.Duration, error) {
	wall, err := ParseSystemTime(i.SystemTime, i.DateFormat)
	if err != nil {
		return 0, err
	}
	offset := wall.Sub(time.Unix(i.Timestamp, 0).UTC()).Round(offsetStep)
	if offset < -12*time.Hour || offset > 14*time.Hour {
		return 0, fmt.Errorf("yeastar: system_time %q is %v from timestamp %d: no time zone is that far from UTC", i.SystemTime, offset, i.Timestamp)
	}
	return offset, nil
}

// Location is the PBX's zone as a fixed offset from UTC, named like
// "UTC+05:30". It does not know the PBX's daylight saving rules: ask again
// after a change.
func (i SystemInfo) Location() (*time.Location, error) {
	offset, err := i.UTCOffset()
	if err != nil {
		return nil, err
	}
	return time.FixedZone(FormatOffset(offset), int(offset/time.Second)), nil
}

// FormatOffset writes a UTC offset as "UTC+05:30" or "UTC-03:30".
func FormatOffset(offset time.Duration) string {
	sign := '+'
	if offset < 0 {
		sign, offset = '-', -offset
	}
	return fmt.Sprintf("UTC%c%02d:%02d", sign, int(offset.Hours()), int(offset.Minutes())%60)
}
