package reconcile

import (
	"context"
	"errors"
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

// ErrClockUnknown marks a PBX that cannot tell its clock (firmware
// without system/information, an answer that does not read): a run reads
// its times as DefaultPBXClock and warns. Any other failure to read the
// clock stops the run, as a failed search would.
var ErrClockUnknown = errors.New("the PBX does not tell its clock")

// SystemInformer is the PBX client's system/information.
type SystemInformer interface {
	SystemInformation(ctx context.Context) (yeastar.SystemInfo, error)
}

var _ SystemInformer = (*yeastar.Client)(nil)

// SystemClock is the ClockSource of a PBX that tells its clock by
// system/information: its offset from UTC (system_time against timestamp)
// and its system_date_format.
type SystemClock struct{ PBX SystemInformer }

// PBXClock asks the PBX for its clock.
func (c SystemClock) PBXClock(ctx context.Context) (PBXClock, error) {
	info, err := c.PBX.SystemInformation(ctx)
	if errors.Is(err, yeastar.ErrUnsupported) {
		return PBXClock{}, fmt.Errorf("%w: %w", ErrClockUnknown, err)
	}
	if err != nil {
		return PBXClock{}, fmt.Errorf("read the PBX's clock: %w", err)
	}
	zone, err := info.Location()
	if err != nil {
		return PBXClock{}, fmt.Errorf("%w: %w", ErrClockUnknown, err)
	}
	return PBXClock{Zone: zone, DateFormat: info.DateFormat}, nil
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

// readClock asks src for the PBX's clock, through retry (transient
// failures are tried again, as a search is). A PBX that cannot tell it gets
// DefaultPBXClock and a warning saying why; another failure is returned.
func readClock(ctx context.Context, src ClockSource, retry func(func() (PBXClock, error)) (PBXClock, error)) (pbxTimes, string, error) {
	def, _ := newPBXTimes(DefaultPBXClock)
	if src == nil {
		return def, "", nil
	}
	var unknown error // not worth a retry: the PBX cannot tell its clock
	c, err := retry(func() (PBXClock, error) {
		c, err := src.PBXClock(ctx)
		if errors.Is(err, ErrClockUnknown) {
			unknown = err
			return c, nil
		}
		return c, err
	})
	if unknown != nil {
		err = unknown
	}
	if err != nil && !errors.Is(err, ErrClockUnknown) {
		return def, "", err
	}
	if err == nil {
		var t pbxTimes
		if t, err = newPBXTimes(c); err == nil {
			return t, "", nil
		}
	}
	return def, fmt.Sprintf("its times are read as UTC in MM/DD/YYYY: %v", err), nil
}
