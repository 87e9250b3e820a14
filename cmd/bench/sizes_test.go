package main

import (
	"slices"
	"testing"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"1MiB", 1 << 20},
		{"64MiB", 64 << 20},
		{"1GiB", 1 << 30},
		{"4GiB", 4 << 30},
		{" 4 gib ", 4 << 30},
		{"512KiB", 512 << 10},
		{"1048576", 1 << 20},
		{"100B", 100},
		{"2TiB", 2 << 40},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseSize(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("parseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseSizeErrors(t *testing.T) {
	for _, in := range []string{"", "MiB", "0MiB", "-1MiB", "1.5GiB", "1GB", "1 MB", "ten", "9999999999TiB"} {
		t.Run(in, func(t *testing.T) {
			if got, err := parseSize(in); err == nil {
				t.Errorf("parseSize(%q) = %d, want an error", in, got)
			}
		})
	}
}

func TestParseSizes(t *testing.T) {
	got, err := parseSizes("1MiB,64MiB, 1GiB,4GiB,")
	want := []int64{1 << 20, 64 << 20, 1 << 30, 4 << 30}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("parseSizes = %v, %v; want %v", got, err, want)
	}
	for _, in := range []string{"", ",", "1MiB,1048576", "1MiB,x"} {
		if got, err := parseSizes(in); err == nil {
			t.Errorf("parseSizes(%q) = %v, want an error", in, got)
		}
	}
}

func TestFormatSize(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{1 << 20, "1 MiB"},
		{64 << 20, "64 MiB"},
		{1 << 30, "1 GiB"},
		{4 << 30, "4 GiB"},
		{1536 << 20, "1536 MiB"},
		{3 << 10, "3 KiB"},
		{1000, "1000 B"},
	}
	for _, tt := range tests {
		if got := formatSize(tt.in); got != tt.want {
			t.Errorf("formatSize(%d) = %q, want %q", tt.in, got, tt.want)
		}
		if back, err := parseSize(sizeLabel(tt.in)); err != nil || back != tt.in {
			t.Errorf("parseSize(sizeLabel(%d)) = %d, %v", tt.in, back, err)
		}
	}
}

func TestParseInts(t *testing.T) {
	got, err := parseInts("128, 512,1769")
	if err != nil || !slices.Equal(got, []int{128, 512, 1769}) {
		t.Errorf("parseInts = %v, %v", got, err)
	}
	if _, err := parseInts("128,0"); err == nil {
		t.Error("parseInts accepted 0")
	}
}
