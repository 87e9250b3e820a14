package reconcile

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// PBXClock is how a PBX writes the times of its recordings (recording/
// search's "time", the file names' leading timestamp): in its local time,
// Zone, with its date format.
type PBXClock struct {
	// Zone is the PBX's offset from UTC (nil: UTC).
	Zone *time.Location
	// DateFormat is system_date_format: "YYYY/MM/DD", "MM/DD/YYYY",
	// "DD/MM/YYYY" ("": MM/DD/YYYY, the documented example).
	DateFormat string
}

// DefaultPBXClock is what a run assumes of a PBX that cannot tell its
// clock: UTC and the documented MM/DD/YYYY.
var DefaultPBXClock = PBXClock{Zone: time.UTC, DateFormat: "MM/DD/YYYY"}

// ClockSource tells a PBX's clock; a run asks once.
type ClockSource interface {
	PBXClock(ctx context.Context) (PBXClock, error)
}

// ClockOf is the clock of a PBX whose system/information answered
// systemTime (its local time, written in dateFormat) at the Unix instant
// timestamp. The offset is rounded to a quarter hour, the finest any zone
// uses, so that the seconds between the two readings do not count.
func ClockOf(systemTime, dateFormat string, timestamp int64) (PBXClock, error) {
	layout, err := timeLayout(dateFormat)
	if err != nil {
		return PBXClock{}, err
	}
	local, err := time.Parse(layout, strings.TrimSpace(systemTime))
	if err != nil {
		return PBXClock{}, fmt.Errorf("system_time %q is not in system_date_format %q", systemTime, dateFormat)
	}
	offset := local.Sub(time.Unix(timestamp, 0)).Round(15 * time.Minute)
	if offset < -14*time.Hour || offset > 14*time.Hour {
		return PBXClock{}, fmt.Errorf("system_time %q is %s from timestamp %d: no zone is that far from UTC", systemTime, offset, timestamp)
	}
	return PBXClock{Zone: time.FixedZone(zoneName(offset), int(offset/time.Second)), DateFormat: dateFormat}, nil
}

// zoneName names a fixed offset as UTC+hh:mm.
func zoneName(offset time.Duration) string {
	sign := "+"
	if offset < 0 {
		sign, offset = "-", -offset
	}
	return fmt.Sprintf("UTC%s%02d:%02d", sign, int(offset.Hours()), int(offset.Minutes())%60)
}

// timeLayout is the Go layout of a "time" written in dateFormat.
func timeLayout(dateFormat string) (string, error) {
	f := strings.ToUpper(strings.TrimSpace(dateFormat))
	if f == "" {
		f = DefaultPBXClock.DateFormat
	}
	if strings.Count(f, "YYYY") != 1 || strings.Count(f, "MM") != 1 || strings.Count(f, "DD") != 1 || len(f) != 10 {
		return "", fmt.Errorf("system_date_format %q is not one of YYYY/MM/DD, MM/DD/YYYY, DD/MM/YYYY", dateFormat)
	}
	r := strings.NewReplacer("YYYY", "2006", "MM", "01", "DD", "02")
	return r.Replace(f) + " 15:04:05", nil
}

// pbxTimes reads the times of a PBX's recordings.
type pbxTimes struct {
	zone   *time.Location
	layout string
}

// newPBXTimes prepares c for reading, or says why it cannot be read.
func newPBXTimes(c PBXClock) (pbxTimes, error) {
	layout, err := timeLayout(c.DateFormat)
	if err != nil {
		return pbxTimes{}, err
	}
	zone := c.Zone
	if zone == nil {
		zone = time.UTC
	}
	return pbxTimes{zone: zone, layout: layout}, nil
}

// start is the instant it's call started: its "time", else its file
// name's timestamp, in the PBX's zone; ok is false when neither reads.
func (p pbxTimes) start(it yeastar.SearchItem) (time.Time, bool) {
	if t, err := time.ParseInLocation(p.layout, strings.TrimSpace(it.Time), p.zone); err == nil {
		return t, true
	}
	if t, err := recording.FileTime(it.File); err == nil {
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, p.zone), true
	}
	return time.Time{}, false
}

// readClock asks src for the PBX's clock. A PBX that cannot tell it (an
// endpoint its firmware lacks, an answer that does not read) gets
// DefaultPBXClock and a warning saying why.
func readClock(ctx context.Context, src ClockSource) (pbxTimes, string) {
	def, _ := newPBXTimes(DefaultPBXClock)
	if src == nil {
		return def, ""
	}
	c, err := src.PBXClock(ctx)
	if err == nil {
		var t pbxTimes
		if t, err = newPBXTimes(c); err == nil {
			return t, ""
		}
	}
	return def, fmt.Sprintf("the PBX's clock is unknown, its times are read as UTC in MM/DD/YYYY: %v", err)
}
