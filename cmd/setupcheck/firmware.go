package main

import (
	"fmt"
	"strconv"
	"strings"
)

// version is a P-Series firmware version, e.g. 37.20.0.21; its first part
// names the edition.
type version [4]int

// parseVersion reads a.b.c.d; the guide's own example, X.7.0.16, is not one.
func parseVersion(s string) (version, bool) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) != 4 {
		return version{}, false
	}
	var v version
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return version{}, false
		}
		v[i] = n
	}
	return v, true
}

func (v version) String() string { return fmt.Sprintf("%d.%d.%d.%d", v[0], v[1], v[2], v[3]) }

// less reports whether v is older than w.
func (v version) less(w version) bool {
	for i := range v {
		if v[i] != w[i] {
			return v[i] < w[i]
		}
	}
	return false
}

// edition is what one first firmware number means: the product, and the
// oldest firmware with the API and with webhooks (zero: not known).
type edition struct {
	name          string
	api, webhooks version
}

// editions by the first number of the firmware version. The webhook
// minimums are Yeastar's ("Monitor Events via Webhook"); the API minimums
// are reported from Yeastar's guides by third parties (docs/setup-check.md).
var editions = map[int]edition{
	37: {"Appliance Edition", version{37, 7, 0, 16}, version{37, 20, 0, 21}},
	83: {"Software Edition", version{}, version{83, 20, 0, 21}},
	84: {"Cloud Edition", version{84, 7, 0, 17}, version{84, 20, 0, 21}},
}

// checkFirmware compares fw with the minimums of its edition.
func checkFirmware(fw string) finding {
	v, ok := parseVersion(fw)
	if !ok {
		return finding{statusWarn, fmt.Sprintf("firmware %q (not a version this check can compare)", fw),
			"check by hand: webhooks need 84.20.0.21+ (Cloud), 83.20.0.21+ (Software) or 37.20.0.21+ (Appliance)"}
	}
	ed, ok := editions[v[0]]
	if !ok {
		return finding{statusWarn, fmt.Sprintf("firmware %s (unknown edition %d)", v, v[0]),
			"check by hand: webhooks need 84.20.0.21+ (Cloud), 83.20.0.21+ (Software) or 37.20.0.21+ (Appliance)"}
	}
	saw := fmt.Sprintf("firmware %s (%s)", v, ed.name)
	if ed.api != (version{}) && v.less(ed.api) {
		return finding{statusFail, saw + ", older than the API's " + ed.api.String(),
			"upgrade the PBX firmware to " + ed.api.String() + " or later"}
	}
	if v.less(ed.webhooks) {
		return finding{statusWarn, saw + ", older than " + ed.webhooks.String() + " (webhooks)",
			"upgrade to " + ed.webhooks.String() + " or later for the call-end webhook; until then only the reconciler finds new recordings"}
	}
	return finding{statusOK, saw + ", has the API and webhooks", ""}
}
