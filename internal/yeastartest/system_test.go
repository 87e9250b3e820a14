package yeastartest

import (
	"net/url"
	"testing"
	"time"
)

// systemAnswer is a decoded system/information answer.
type systemAnswer struct {
	ErrCode int        `json:"errcode"`
	ErrMsg  string     `json:"errmsg"`
	Data    systemData `json:"data"`
}

// systemInfo calls system/information with tok.
func (c *testClient) systemInfo(tok string) systemAnswer {
	c.t.Helper()
	var a systemAnswer
	c.getJSON("system/information", url.Values{"access_token": {tok}}, &a)
	return a
}

func TestSystemInformation(t *testing.T) {
	at := time.Date(2025, 8, 22, 8, 44, 40, 0, time.UTC)
	clock := func() time.Time { return at }
	kolkata := time.FixedZone("IST", 5*3600+1800)
	tests := []struct {
		name          string
		opts          Options
		info          *SystemInfo
		wantTime      string
		wantFormat    string
		wantModel     string
		wantFirmware  string
		wantTimestamp int64
	}{
		{"defaults", Options{Now: clock}, nil, "2025/08/22 08:44:40", "YYYY/MM/DD", DefaultModel, DefaultFirmware, at.Unix()},
		{"options time zone", Options{Now: clock, TimeZone: time.FixedZone("", 8*3600)}, nil, "2025/08/22 16:44:40", "YYYY/MM/DD", DefaultModel, DefaultFirmware, at.Unix()},
		{"day first, east", Options{Now: clock}, &SystemInfo{DateFormat: "DD/MM/YYYY", TimeZone: kolkata, Model: "Yeastar P570", Firmware: "37.19.0.10"}, "22/08/2025 14:14:40", "DD/MM/YYYY", "Yeastar P570", "37.19.0.10", at.Unix()},
		{"month first, west", Options{Now: clock}, &SystemInfo{DateFormat: "MM/DD/YYYY", TimeZone: time.FixedZone("", -10*3600)}, "08/21/2025 22:44:40", "MM/DD/YYYY", DefaultModel, DefaultFirmware, at.Unix()},
		{"clock skew", Options{Now: clock}, &SystemInfo{ClockSkew: -3 * time.Minute}, "2025/08/22 08:41:40", "YYYY/MM/DD", DefaultModel, DefaultFirmware, at.Add(-3 * time.Minute).Unix()},
		{"unknown format", Options{Now: clock}, &SystemInfo{DateFormat: "DD.MM.YYYY"}, "2025/08/22 08:44:40", "DD.MM.YYYY", DefaultModel, DefaultFirmware, at.Unix()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestSim(t, tt.opts)
			if tt.info != nil {
				s.SetSystemInfo(*tt.info)
			}
			c := newTestClient(t, s)
			a := c.systemInfo(c.token())
			d := a.Data
			if a.ErrCode != 0 || a.ErrMsg != "SUCCESS" {
				t.Fatalf("errcode %d %q", a.ErrCode, a.ErrMsg)
			}
			if d.SystemTime != tt.wantTime || d.DateFormat != tt.wantFormat || d.Timestamp != tt.wantTimestamp {
				t.Errorf("system_time %q format %q timestamp %d, want %q %q %d", d.SystemTime, d.DateFormat, d.Timestamp, tt.wantTime, tt.wantFormat, tt.wantTimestamp)
			}
			if d.ModelName != tt.wantModel || d.FirmwareVersion != tt.wantFirmware || d.SN == "" || d.TimeFormat != "hh:mm:ss" {
				t.Errorf("data %+v", d)
			}
		})
	}
}

func TestSystemInformationAbsentAndToken(t *testing.T) {
	s := newTestSim(t, Options{})
	c := newTestClient(t, s)
	if a := c.systemInfo("not-a-token"); a.ErrCode != ErrCodeTokenExpired {
		t.Errorf("bad token: errcode %d, want %d", a.ErrCode, ErrCodeTokenExpired)
	}
	s.SetSystemInfo(SystemInfo{Absent: true})
	if a := c.systemInfo(c.token()); a.ErrCode != ErrCodeNoEndpoint {
		t.Errorf("absent: errcode %d, want %d", a.ErrCode, ErrCodeNoEndpoint)
	}
	if got := s.Stats().APIRequests["system/information"]; got != 2 {
		t.Errorf("system/information requests %d, want 2", got)
	}
}
