package main

import (
	"strings"
	"testing"
)

func TestCheckFirmware(t *testing.T) {
	tests := []struct {
		fw     string
		status status
		saw    string
	}{
		{"37.20.0.21", statusOK, "Appliance Edition), has the API and webhooks"},
		{"37.100.0.1", statusOK, "has the API and webhooks"},
		{"37.19.9.99", statusWarn, "older than 37.20.0.21 (webhooks)"},
		{"37.7.0.16", statusWarn, "older than 37.20.0.21"},
		{"37.7.0.15", statusFail, "older than the API's 37.7.0.16"},
		{"83.20.0.21", statusOK, "Software Edition"},
		{"83.19.0.1", statusWarn, "older than 83.20.0.21"},
		{"84.20.0.21", statusOK, "Cloud Edition"},
		{"84.7.0.16", statusFail, "older than the API's 84.7.0.17"},
		{"X.7.0.16", statusWarn, "not a version this check can compare"},
		{"50.1.0.1", statusWarn, "unknown edition 50"},
	}
	for _, tt := range tests {
		t.Run(tt.fw, func(t *testing.T) {
			f := checkFirmware(tt.fw)
			if f.status != tt.status || !strings.Contains(f.saw, tt.saw) || (f.status != statusOK) != (f.fix != "") {
				t.Errorf("checkFirmware(%q) = %+v, want %s and %q", tt.fw, f, tt.status, tt.saw)
			}
		})
	}
}
