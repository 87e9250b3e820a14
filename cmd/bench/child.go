package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"
)

// childCommand is the hidden subcommand that runs one measured copy.
const childCommand = "child"

// childTimeout bounds one copy.
const childTimeout = 30 * time.Minute

// childSpec tells a child process what to copy and how. Where the PBX and
// S3 are, and their credentials, come through the environment the function
// reads (PBX_BASE_URL, PBX_CLIENT_ID, PBX_CLIENT_SECRET) and the standard
// AWS one (AWS_ENDPOINT_URL_S3, AWS_CA_BUNDLE...): secrets stay out of the
// command line.
type childSpec struct {
	Method     string `json:"method"`
	ID         int    `json:"id"`   // the recording's ID at the PBX
	File       string `json:"file"` // its file name
	Size       int64  `json:"size"`
	Bucket     string `json:"bucket"`
	Key        string `json:"key"` // where to write; the function chooses its own
	AWS        string `json:"aws,omitempty"`
	CPUProfile string `json:"cpuProfile,omitempty"`
}

// childReport is what a child prints as JSON on stdout when it is done.
type childReport struct {
	Key   string     `json:"key"`
	Bytes int64      `json:"bytes"`
	IO    ioCounters `json:"io"` // /proc/self/io at exit, reaped children included
	// PeakRSS is the copy's peak resident set size in bytes: this
	// process's VmHWM or, for a pipeline of external commands, the sum of
	// theirs. Not the rusage's ru_maxrss: os/exec starts a child with
	// CLONE_VM, so the kernel counts the parent's peak into the child's.
	PeakRSS int64 `json:"peakRSS"`
	// SourceSeconds is the time spent generating the bytes of an upload
	// fed from memory.
	SourceSeconds float64 `json:"sourceSeconds,omitempty"`
}

// copyFunc runs one method of copying in a child process.
type copyFunc func(ctx context.Context, spec childSpec) (childReport, error)

// runChild runs the copy described by the JSON in args[0] and prints its
// report to stdout.
func runChild(args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("%s: want one JSON argument", childCommand)
	}
	var spec childSpec
	if err := json.Unmarshal([]byte(args[0]), &spec); err != nil {
		return fmt.Errorf("%s: %w", childCommand, err)
	}
	copyFn, ok := copyFuncs[spec.Method]
	if !ok {
		return fmt.Errorf("%s: unknown method %q", childCommand, spec.Method)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, childTimeout)
	defer cancel()
	if spec.CPUProfile != "" {
		f, err := os.Create(spec.CPUProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer func() { _ = f.Close() }() // closed again below; the profile is written by then
		defer pprof.StopCPUProfile()
	}
	rep, err := copyFn(ctx, spec)
	if err != nil {
		return fmt.Errorf("%s %s: %w", childCommand, spec.Method, err)
	}
	if rep.IO, err = readSelfIO(); err != nil {
		return err
	}
	if rep.PeakRSS == 0 {
		if rep.PeakRSS, err = peakRSS("self"); err != nil {
			return err
		}
	}
	return json.NewEncoder(stdout).Encode(rep)
}
