package main

import (
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

func TestParsePBXs(t *testing.T) {
	tests := []struct {
		in   string
		want []string // nil: an error
	}{
		{"3", []string{"pbx-1", "pbx-2", "pbx-3"}},
		{"1", []string{"pbx-1"}},
		{"hq,branch", []string{"hq", "branch"}},
		{"default", []string{"default"}},
		{"0", nil},
		{"101", nil},
		{"-1", nil},
		{"hq,hq", nil},
		{"HQ", nil},
		{"hq,", nil},
		{"a_b", nil},
		{strings.Repeat("a", 33), nil},
	}
	for _, tt := range tests {
		got, err := parsePBXs(tt.in)
		if (err != nil) != (tt.want == nil) || !slices.Equal(got, tt.want) {
			t.Errorf("parsePBXs(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestFaultFlag(t *testing.T) {
	var f faultFlags
	for _, v := range []string{"pbx-2=down", "pbx-3=slow:1s", "pbx-4=badcreds", "pbx-3=badcreds", "pbx-5=slow:250ms"} {
		if err := f.Set(v); err != nil {
			t.Fatalf("Set(%q): %v", v, err)
		}
	}
	want := faultFlags{
		"pbx-2": {Down: true},
		"pbx-3": {Slow: time.Second, WrongCredentials: true},
		"pbx-4": {WrongCredentials: true},
		"pbx-5": {Slow: 250 * time.Millisecond},
	}
	if len(f) != len(want) {
		t.Fatalf("faults = %v, want %v", f, want)
	}
	for id, w := range want {
		if f[id] != w {
			t.Errorf("%s: %+v, want %+v", id, f[id], w)
		}
	}
	if got := f.String(); got != "pbx-2=down pbx-3=slow 1s, wrong credentials pbx-4=wrong credentials pbx-5=slow 250ms" {
		t.Errorf("String() = %q", got)
	}
	for _, v := range []string{"down", "=down", "pbx-1=", "pbx-1=up", "pbx-1=slow", "pbx-1=slow:", "pbx-1=slow:0s", "pbx-1=slow:-1s", "pbx-1=slow:fast", "pbx-1=down:1s"} {
		if err := new(faultFlags).Set(v); err == nil {
			t.Errorf("Set(%q): no error", v)
		}
	}
}

func TestParseConfigFleet(t *testing.T) {
	env := map[string]string{"PBX_CLIENT_ID": "env-id", "PBX_CLIENT_SECRET": "env-secret"}
	getenv := func(k string) string { return env[k] }
	cfg, err := parseConfig([]string{"-pbxs", "3", "-fault", "pbx-2=down", "-registry-file", "reg.json",
		"-token-lifetime", "1m", "-recording", "1:a.wav:1KiB"}, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.pbxs, []string{"pbx-1", "pbx-2", "pbx-3"}) || cfg.host != "127.0.0.1" || cfg.registryFile != "reg.json" {
		t.Errorf("config = %+v", cfg)
	}
	specs := cfg.fleetSpecs()
	if len(specs) != 3 || !specs[1].Fault.Down || specs[0].Fault.Down || specs[2].Fault.Down {
		t.Fatalf("specs = %+v, want pbx-2 alone down", specs)
	}
	for _, s := range specs {
		// The environment's credentials are the single PBX's: each PBX of
		// a fleet gets its own.
		if s.Options.ClientID != "" || s.Options.ClientSecret != "" || s.Options.AccessTokenLifetime != time.Minute ||
			!slices.Equal(s.Recordings, []yeastartest.Recording{{ID: 1, File: "a.wav", Size: 1024}}) {
			t.Errorf("%s: %+v", s.ID, s)
		}
	}
	if cfg.recordings = nil; cfg.fleetSpecs()[0].Recordings != nil {
		t.Error("without -recording, each PBX should get its default recordings (nil)")
	}

	bad := [][]string{
		{"-pbxs", "2"}, // no -registry-file
		{"-pbxs", "2", "-registry-file", "r", "-client-id", "x"},
		{"-pbxs", "2", "-registry-file", "r", "-addr", "127.0.0.1:8088"},
		{"-pbxs", "2", "-registry-file", "r", "-fault", "pbx-3=down"},
		{"-pbxs", "2", "-registry-file", "r", "-token-lifetime", "0s"},
		{"-pbxs", "hq,HQ", "-registry-file", "r"},
		{"-fault", "pbx-1=down"},
		{"-registry-file", "r"},
	}
	for _, args := range bad {
		if _, err := parseConfig(args, getenv, io.Discard); err == nil {
			t.Errorf("parseConfig(%q): no error", args)
		}
	}
}
