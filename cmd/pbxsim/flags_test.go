package main

import (
	"io"
	"slices"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

func TestParseRecording(t *testing.T) {
	tests := []struct {
		in      string
		want    yeastartest.Recording
		wantErr bool
	}{
		{"1727:20220412173331-1649756009.12-2002-2005-Internal.wav:825588", yeastartest.Recording{ID: 1727, File: "20220412173331-1649756009.12-2002-2005-Internal.wav", Size: 825588}, false},
		{"1:a.wav:0", yeastartest.Recording{ID: 1, File: "a.wav", Size: 0}, false},
		{"2:b+1.mp3:3KiB", yeastartest.Recording{ID: 2, File: "b+1.mp3", Size: 3072}, false},
		{"3:c.wav:5MiB", yeastartest.Recording{ID: 3, File: "c.wav", Size: 5 << 20}, false},
		{"4:d.wav:4GiB", yeastartest.Recording{ID: 4, File: "d.wav", Size: 4 << 30}, false},
		{"5:with:colons.wav:10", yeastartest.Recording{ID: 5, File: "with:colons.wav", Size: 10}, false},
		{"a.wav:10", yeastartest.Recording{}, true},
		{"x:a.wav:10", yeastartest.Recording{}, true},
		{"1::10", yeastartest.Recording{}, true},
		{"1:a.wav:", yeastartest.Recording{}, true},
		{"1:a.wav:-1", yeastartest.Recording{}, true},
		{"1:a.wav:1.5MiB", yeastartest.Recording{}, true},
		{"1:a.wav:10MB", yeastartest.Recording{}, true},
		{"1:a.wav:99999999999GiB", yeastartest.Recording{}, true},
		{"1:a.wav", yeastartest.Recording{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseRecording(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("parseRecording(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestParseConfig(t *testing.T) {
	env := map[string]string{"PBX_CLIENT_ID": "env-id", "PBX_CLIENT_SECRET": "env-secret"}
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		wantErr  bool
		wantID   string
		wantRecs []yeastartest.Recording
		wantLife time.Duration
	}{
		{"repeated recordings", []string{"-recording", "1:a.wav:1KiB", "-recording=2:b.mp3:7"}, env, false, "env-id",
			[]yeastartest.Recording{{ID: 1, File: "a.wav", Size: 1024}, {ID: 2, File: "b.mp3", Size: 7}}, 30 * time.Minute},
		{"flags beat env", []string{"-client-id", "flag-id", "-token-lifetime", "90s"}, env, false, "flag-id", nil, 90 * time.Second},
		{"no credentials", nil, nil, true, "", nil, 0},
		{"bad recording", []string{"-recording", "1:a.wav:lots"}, env, true, "", nil, 0},
		{"stray argument", []string{"extra"}, env, true, "", nil, 0},
		{"zero lifetime", []string{"-token-lifetime", "0s"}, env, true, "", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseConfig(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if cfg.clientID != tt.wantID || cfg.clientSecret != "env-secret" || cfg.addr != "127.0.0.1:0" ||
				!slices.Equal(cfg.recordings, tt.wantRecs) || cfg.tokenLifetime != tt.wantLife {
				t.Errorf("config = %+v", cfg)
			}
		})
	}
}
