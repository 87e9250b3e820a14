package yeastar_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

func TestSystemInformation(t *testing.T) {
	at := time.Date(2025, 8, 22, 8, 44, 40, 0, time.UTC)
	sim := newSim(t, yeastartest.Options{Now: func() time.Time { return at }, TimeZone: time.FixedZone("", 8*3600)})
	sim.SetSystemInfo(yeastartest.SystemInfo{Model: "Yeastar P560", Firmware: "37.21.0.5"})
	c := newClient(t, sim.URL(), yeastar.Options{})
	info, err := c.SystemInformation(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := yeastar.SystemInfo{
		DeviceName: "PBX", Model: "Yeastar P560", SN: yeastartest.DefaultSN, HardwareVersion: "V1.00 0000-0000",
		FirmwareVersion: "37.21.0.5", SystemTime: "2025/08/22 16:44:40", UpTime: 24852,
		DateFormat: "YYYY/MM/DD", TimeFormat: "hh:mm:ss", Timestamp: at.Unix(),
	}
	if info != want {
		t.Errorf("info\n %+v, want\n %+v", info, want)
	}
	if off, err := info.UTCOffset(); err != nil || off != 8*time.Hour {
		t.Errorf("offset %v, %v; want 8h", off, err)
	}
}

func TestSystemInformationUnsupported(t *testing.T) {
	sim := newSim(t, yeastartest.Options{})
	c := newClient(t, sim.URL(), yeastar.Options{})
	sim.SetSystemInfo(yeastartest.SystemInfo{Absent: true})
	_, err := c.SystemInformation(t.Context())
	if !errors.Is(err, yeastar.ErrUnsupported) || !errors.Is(err, &yeastar.APIError{Code: yeastar.CodeNoEndpoint10001}) {
		t.Errorf("absent (10001): %v", err)
	}
	sim.SetSystemInfo(yeastartest.SystemInfo{})
	sim.FailAPI("system/information", yeastar.CodeNoEndpoint10003, 1)
	if _, err := c.SystemInformation(t.Context()); !errors.Is(err, yeastar.ErrUnsupported) {
		t.Errorf("10003: %v", err)
	}
	sim.FailAPI("system/information", yeastar.CodeAccessDenied, 1)
	if _, err := c.SystemInformation(t.Context()); err == nil || errors.Is(err, yeastar.ErrUnsupported) {
		t.Errorf("10005 is not a missing endpoint: %v", err)
	}
	if got := sim.Stats().APIRequests["system/information"]; got != 3 {
		t.Errorf("system/information requests %d, want 3 (every fault fired)", got)
	}

	_, srv := wrappedSim(t, yeastartest.Options{}, map[string]http.HandlerFunc{apiPrefix + "system/information": http.NotFound})
	old := newClient(t, srv.URL, yeastar.Options{})
	var httpErr *yeastar.HTTPError
	if _, err := old.SystemInformation(t.Context()); !errors.Is(err, yeastar.ErrUnsupported) || !errors.As(err, &httpErr) || httpErr.StatusCode != 404 {
		t.Errorf("HTTP 404: %v", err)
	}
}

func TestParseSystemTime(t *testing.T) {
	want := time.Date(2025, 8, 2, 16, 44, 40, 0, time.UTC)
	tests := []struct {
		value, format string
		ok            bool
	}{
		{"2025/08/02 16:44:40", "YYYY/MM/DD", true},
		{"08/02/2025 16:44:40", "MM/DD/YYYY", true},
		{"02/08/2025 16:44:40", "DD/MM/YYYY", true},
		{"02/08/2025 16:44:40", "MM/DD/YYYY", false}, // would be February 8th: wrong, but parses
		{"2025-08-02 16:44:40", "YYYY/MM/DD", false},
		{"2025/08/02 4:44:40 PM", "YYYY/MM/DD", false},
		{"2025/08/02 16:44:40", "YYYY.MM.DD", false},
		{"", "YYYY/MM/DD", false},
	}
	for _, tt := range tests {
		t.Run(tt.format+" "+tt.value, func(t *testing.T) {
			got, err := yeastar.ParseSystemTime(tt.value, tt.format)
			if tt.ok != (err == nil && got.Equal(want)) {
				t.Errorf("ParseSystemTime(%q, %q) = %v, %v", tt.value, tt.format, got, err)
			}
		})
	}
}

func TestUTCOffset(t *testing.T) {
	ts := time.Date(2025, 8, 22, 8, 44, 40, 0, time.UTC).Unix()
	tests := []struct {
		name, systemTime, format string
		timestamp                int64
		want                     time.Duration
		wantName                 string
		wantErr                  bool
	}{
		{"UTC", "2025/08/22 08:44:40", "YYYY/MM/DD", ts, 0, "UTC+00:00", false},
		{"east, Shanghai", "2025/08/22 16:44:40", "YYYY/MM/DD", ts, 8 * time.Hour, "UTC+08:00", false},
		{"east, half hour, Kolkata", "22/08/2025 14:14:40", "DD/MM/YYYY", ts, 5*time.Hour + 30*time.Minute, "UTC+05:30", false},
		{"east, quarter hour, Kathmandu", "2025/08/22 14:29:40", "YYYY/MM/DD", ts, 5*time.Hour + 45*time.Minute, "UTC+05:45", false},
		{"east, next day, Kiritimati", "08/22/2025 22:44:40", "MM/DD/YYYY", ts, 14 * time.Hour, "UTC+14:00", false},
		{"west, New York", "08/22/2025 04:44:40", "MM/DD/YYYY", ts, -4 * time.Hour, "UTC-04:00", false},
		{"west, half hour, St. John's", "2025/08/22 05:14:40", "YYYY/MM/DD", ts, -3*time.Hour - 30*time.Minute, "UTC-03:30", false},
		{"west, previous day, Honolulu", "21/08/2025 22:44:40", "DD/MM/YYYY", ts, -10 * time.Hour, "UTC-10:00", false},
		{"read a few seconds apart", "2025/08/22 16:44:42", "YYYY/MM/DD", ts, 8 * time.Hour, "UTC+08:00", false},
		{"rounds to the nearest quarter hour", "2025/08/22 16:52:40", "YYYY/MM/DD", ts, 8*time.Hour + 15*time.Minute, "UTC+08:15", false},
		{"beyond UTC+14", "2025/08/23 08:44:40", "YYYY/MM/DD", ts, 0, "", true},
		{"beyond UTC-12", "2025/08/21 08:44:40", "YYYY/MM/DD", ts, 0, "", true},
		{"unknown format", "2025-08-22 08:44:40", "YYYY-MM-DD", ts, 0, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info := yeastar.SystemInfo{SystemTime: tt.systemTime, DateFormat: tt.format, Timestamp: tt.timestamp}
			got, err := info.UTCOffset()
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("UTCOffset() = %v, %v; want %v, error %v", got, err, tt.want, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			loc, err := info.Location()
			if err != nil || loc.String() != tt.wantName {
				t.Errorf("Location() = %v, %v; want %s", loc, err, tt.wantName)
			}
			wall, _ := yeastar.ParseSystemTime(tt.systemTime, tt.format)
			if at := time.Unix(tt.timestamp, 0).In(loc); tt.name != "read a few seconds apart" && tt.name != "rounds to the nearest quarter hour" && at.Format(time.DateTime) != wall.Format(time.DateTime) {
				t.Errorf("timestamp in %s is %s, want the PBX's %s", loc, at.Format(time.DateTime), wall.Format(time.DateTime))
			}
		})
	}
}
