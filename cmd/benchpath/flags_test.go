package main

import (
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSettingsCrossTheLists(t *testing.T) {
	o, err := parseFlags([]string{"-rate", "5,50", "-batch-size", "1,10", "-window", "0,0.5", "-memory", "128"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ss := o.settings()
	// 2 rates x 2 batch sizes x 2 windows, each followed by its baseline.
	if len(ss) != 16 {
		t.Fatalf("%d settings, want 16", len(ss))
	}
	if s := ss[0]; s.Rate != 5 || s.BatchSize != 1 || s.Window != 0 || s.DefaultUploader || s.MaxConcurrency != 2 || s.BatchConcurrency != 5 || s.VisibilityTimeout != 1800 {
		t.Errorf("first setting %+v", s)
	}
	if s := ss[3]; s.Window != 500*time.Millisecond || !s.DefaultUploader || s.Memory != 128 {
		t.Errorf("fourth setting %+v, want the half-second window's baseline at 128 MB", s)
	}
	if ss[15].Rate != 50 || ss[15].BatchSize != 10 {
		t.Errorf("last setting %+v", ss[15])
	}
}

func TestParseFlagsRefuses(t *testing.T) {
	for _, args := range [][]string{
		{"-batch-size", "11"}, {"-median-mib", "64"}, {"-batch-concurrency", "0"}, {"-window", "soon"}, {"-memory", "64"}, {"-rate", "0"}, {"-duration", "0s"}, {"extra"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("%s accepted", strings.Join(args, " "))
		}
	}
}

// The SDK's default uploader holds (5+1) x 5 MiB a copy: with 5 copies at
// once, 150 MiB, which half of 128 MB cannot hold; its run gets 300 MB.
func TestBaselineGetsTheMemoryItsBuffersNeed(t *testing.T) {
	o, err := parseFlags([]string{"-batch-concurrency", "2,5", "-memory", "128,512", "-baseline-fit-memory"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, s := range o.settings() {
		if s.DefaultUploader {
			got = append(got, s.Memory)
		}
	}
	if want := []int{128, 300, 512, 512}; !slices.Equal(got, want) {
		t.Errorf("baseline memory settings %v, want %v", got, want)
	}
}

// By default the baseline is the same path: the same memory setting.
func TestBaselineAtTheSameMemory(t *testing.T) {
	o, err := parseFlags([]string{"-batch-concurrency", "5"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if ss := o.settings(); len(ss) != 2 || !ss[1].DefaultUploader || ss[1].Memory != 128 {
		t.Errorf("settings %+v, want the baseline at 128 MB", ss)
	}
}
