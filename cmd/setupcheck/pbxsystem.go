package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// maxClockSkew is how far the PBX's clock may be from this machine's
// before the check warns: recording times and the reconciler's windows
// follow the PBX's clock.
const maxClockSkew = 2 * time.Minute

// finding is one observation of a step, with what to do about it.
type finding struct {
	status status
	saw    string
	fix    string
}

// systemInformation reports model, firmware, date format, time zone and
// clock.
func (p *pbxCheck) systemInformation(ctx context.Context) {
	const name = "system/information"
	info, err := p.c.SystemInformation(ctx)
	switch {
	case errors.Is(err, yeastar.ErrUnsupported):
		p.rep.step(statusWarn, name, "not offered by this firmware ("+err.Error()+"): model, firmware, date format and time zone unknown",
			"upgrade the PBX firmware; until then the PBX's date format and time zone cannot be read from it")
		return
	case err != nil:
		p.rep.step(statusFail, name, err.Error(), apiFix(err, "query system information"))
		return
	}
	findings := []finding{{statusOK, info.Model, ""}}
	findings = append(findings, checkFirmware(info.FirmwareVersion))
	findings = append(findings, clockFindings(info, time.Now())...)
	st, saws, fixes := statusOK, []string{}, []string{}
	for _, f := range findings {
		st = worse(st, f.status)
		saws = append(saws, f.saw)
		if f.fix != "" {
			fixes = append(fixes, f.fix)
		}
	}
	p.rep.step(st, name, strings.Join(saws, ", "), strings.Join(fixes, "; "))
}

// clockFindings reads the date format, the time zone and the clock's skew.
func clockFindings(info yeastar.SystemInfo, now time.Time) []finding {
	offset, err := info.UTCOffset()
	if err != nil {
		return []finding{{statusWarn, fmt.Sprintf("system_time %q in format %q not understood", info.SystemTime, info.DateFormat),
			"report the PBX's date format: this project reads YYYY/MM/DD, MM/DD/YYYY and DD/MM/YYYY"}}
	}
	out := []finding{{statusOK, fmt.Sprintf("dates %s, time zone %s", info.DateFormat, yeastar.FormatOffset(offset)), ""}}
	skew := time.Unix(info.Timestamp, 0).Sub(now).Round(time.Second)
	f := finding{statusOK, "clock " + describeSkew(skew), ""}
	if skew > maxClockSkew || skew < -maxClockSkew {
		f.status, f.fix = statusWarn, "set the PBX's time from an NTP server (its date and time settings): recording times and the reconciler's windows follow its clock"
	}
	return append(out, f)
}

// describeSkew says how far the PBX's clock is from this machine's.
func describeSkew(skew time.Duration) string {
	switch {
	case skew > 0:
		return skew.String() + " ahead of this machine's"
	case skew < 0:
		return (-skew).String() + " behind this machine's"
	}
	return "in step with this machine's"
}

// apiFix says what to do about a failed API call: errcode 10005 is a
// permission the API application lacks.
func apiFix(err error, what string) string {
	code, ok := yeastar.ErrorCode(err)
	switch {
	case ok && code == yeastar.CodeAccessDenied:
		return "the API application may not " + what + ": grant it in Integrations > API in the PBX portal"
	case ok && code == yeastar.CodeIPForbidden:
		return "add this IP to the allowed IPs of the API in Integrations > API"
	case ok:
		return "see the errcode in Yeastar's error code table"
	}
	return "check that the PBX is up and reachable, then run again"
}
