package yeastartest

import "time"

// system/information is registered here, beside the routes of api.go, so
// that its code stays in this file.
func init() {
	routes["system/information"] = route{"GET", true, (*Simulator).systemInformation}
}

// ErrCodeNoEndpoint is what firmware without an endpoint answers it with,
// as SystemInfo.Absent makes system/information answer.
const ErrCodeNoEndpoint = 10001

// Defaults of the simulator's system/information answer: a P550 appliance
// whose firmware has the API and webhooks.
const (
	DefaultModel      = "Yeastar P550"
	DefaultFirmware   = "37.20.0.21"
	DefaultDateFormat = "YYYY/MM/DD"
	DefaultSN         = "3631A2124XXX"
)

// SystemInfo configures the simulator's system/information answer. Zero
// fields take the defaults above.
type SystemInfo struct {
	// Absent makes system/information answer errcode 10001, as firmware
	// without the endpoint does.
	Absent bool
	// Model and Firmware are model_name and firmware_version.
	Model, Firmware string
	// DateFormat is system_date_format: YYYY/MM/DD, MM/DD/YYYY or
	// DD/MM/YYYY, in which system_time is written (default
	// Options.DateFormat when set, else DefaultDateFormat). Any other value is
	// reported as given, with system_time written YYYY/MM/DD, so that a
	// test can show a client a format it does not know.
	DateFormat string
	// TimeZone is the zone of system_time; nil means Options.TimeZone.
	TimeZone *time.Location
	// ClockSkew is added to the simulator's clock for system_time and
	// timestamp, as a PBX whose clock is wrong reports them.
	ClockSkew time.Duration
}

// systemBody answers system/information.
type systemBody struct {
	ErrCode int        `json:"errcode"`
	ErrMsg  string     `json:"errmsg"`
	Data    systemData `json:"data"`
}

// systemData is the data of a system/information answer.
type systemData struct {
	DeviceName      string `json:"device_name"`
	ModelName       string `json:"model_name"`
	SN              string `json:"sn"`
	HardwareVersion string `json:"hardware_version"`
	FirmwareVersion string `json:"firmware_version"`
	SystemTime      string `json:"system_time"`
	UpTime          int64  `json:"up_time"`
	DateFormat      string `json:"system_date_format"`
	TimeFormat      string `json:"system_time_format"`
	Timestamp       int64  `json:"timestamp"`
}

// simDateLayouts are the Go layouts of the system_date_format values.
var simDateLayouts = map[string]string{
	"YYYY/MM/DD": "2006/01/02",
	"MM/DD/YYYY": "01/02/2006",
	"DD/MM/YYYY": "02/01/2006",
}

// SetSystemInfo sets what system/information answers from now on.
func (s *Simulator) SetSystemInfo(info SystemInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.system = &info
}

// systemInformation answers system/information. s.mu must be held.
func (s *Simulator) systemInformation(c apiCall) any {
	var info SystemInfo
	if s.system != nil {
		info = *s.system
	}
	if info.Absent {
		return errResp(ErrCodeNoEndpoint)
	}
	if info.DateFormat == "" {
		info.DateFormat = s.opts.DateFormat // the format recording/search writes
	}
	info = info.withDefaults(s.opts.TimeZone)
	now := c.now.Add(info.ClockSkew)
	return systemBody{
		ErrMsg: ErrMsg(ErrCodeSuccess),
		Data: systemData{
			DeviceName:      "PBX",
			ModelName:       info.Model,
			SN:              DefaultSN,
			HardwareVersion: "V1.00 0000-0000",
			FirmwareVersion: info.Firmware,
			SystemTime:      now.In(info.TimeZone).Format(info.layout()),
			UpTime:          24852,
			DateFormat:      info.DateFormat,
			TimeFormat:      "hh:mm:ss",
			Timestamp:       now.Unix(),
		},
	}
}

// withDefaults returns info with every zero field set; tz is the
// simulator's zone.
func (info SystemInfo) withDefaults(tz *time.Location) SystemInfo {
	if info.Model == "" {
		info.Model = DefaultModel
	}
	if info.Firmware == "" {
		info.Firmware = DefaultFirmware
	}
	if info.DateFormat == "" {
		info.DateFormat = DefaultDateFormat
	}
	if info.TimeZone == nil {
		info.TimeZone = tz
	}
	return info
}

// layout is the Go layout of system_time.
func (info SystemInfo) layout() string {
	date, ok := simDateLayouts[info.DateFormat]
	if !ok {
		date = simDateLayouts[DefaultDateFormat]
	}
	return date + " 15:04:05"
}
