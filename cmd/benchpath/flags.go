package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/recording-sync/recording-sync/internal/cli"
	"github.com/recording-sync/recording-sync/internal/localenv"
)

// options are the command line: a base setting and the lists a sweep
// crosses (every combination is a run).
type options struct {
	base                                setting
	rates                               []float64
	batchSizes, concurrencies, memories []int
	batchConcurrencies                  []int
	windows                             []time.Duration
	baseline                            bool // each run again with the SDK's default uploader
	baselineFitMemory                   bool // ... at the memory its buffers need, not at the run's
}

// parseFlags reads the command line.
func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("benchpath", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := &options{base: setting{mix: mix{MedianSize: 1 << 20, Sigma: 1.2, MinSize: 16 << 10, MaxSize: 50 << 20}, VisibilityTimeout: 1800}}
	rates := fs.String("rate", "20", "calls ending per second; a comma-separated list runs each")
	fs.DurationVar(&o.base.Duration, "duration", time.Minute, "how long calls keep ending")
	fs.Uint64Var(&o.base.Seed, "seed", 1, "seed of the calls' arrivals, sizes and faults")
	batch := fs.String("batch-size", "10", "the mapping's BatchSize (1-10); a list sweeps")
	window := fs.String("window", "5", "MaximumBatchingWindowInSeconds; a list sweeps")
	conc := fs.String("max-concurrency", "2", "MaximumConcurrency: copy instances; a list sweeps")
	mem := fs.String("memory", "128", "the copy function's MemorySize (MB); a list sweeps")
	batchConc := fs.String("batch-concurrency", "5", "BatchConcurrency: records of a batch copied at once (1-10); a list sweeps")
	pbx := fs.Float64("pbx-mibps", 20, "MiB/s the PBX serves each download at")
	fs.IntVar(&o.base.Webhooks, "webhooks", 4, "webhook function instances")
	median := fs.Float64("median-mib", 1, "the recordings' median size, MiB (log-normal, clamped to 16 KiB-50 MiB)")
	fs.Float64Var(&o.base.MP3Share, "mp3-share", 0.02, "share of .mp3 recordings (the PBX serves one at a time, and none while another download streams)")
	fs.Float64Var(&o.base.ResetShare, "reset-share", 0.02, "share of downloads whose connection drops half way")
	fs.Float64Var(&o.base.BusyShare, "busy-share", 0.02, "share of calls after which recording/download answers busy (70082) once")
	fs.BoolVar(&o.baseline, "baseline", true, "run each setting again with the SDK's default uploader sizing in the copy")
	fs.BoolVar(&o.baselineFitMemory, "baseline-fit-memory", false, "run the default uploader at the memory setting its buffers need (within half of it), not at the run's")
	fs.BoolVar(&o.base.Limit, "lambda-limits", false, "give each copy instance Lambda's share of a CPU (memory/1769 MB) and its memory setting as a hard limit (cgroup v1: Linux, as root)")
	fnEnv := fs.String("fn-env", "", "extra settings for the copy function, comma-separated NAME=value (e.g. GOMEMLIMIT=100MiB), to try other defaults")
	fs.DurationVar(&o.base.Drain, "drain", 2*time.Minute, "how long to wait, after the last call, for every recording")
	fs.StringVar(&o.base.KeepOutput, "keep-output", "", "write each copy instance's output to this directory, ending with its function's goroutines when the run lost a recording")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	o.base.PBXRate = int64(*pbx * (1 << 20))
	o.base.MedianSize = int64(*median * (1 << 20))
	if o.base.MedianSize < o.base.MinSize || o.base.MedianSize > o.base.MaxSize {
		return nil, errors.New("-median-mib must be from 1/64 to 50")
	}
	var err error
	if o.base.Env, err = cli.EnvList(*fnEnv); err != nil {
		return nil, fmt.Errorf("-fn-env: %w", err)
	}
	if o.rates, err = list(*rates, "rate", func(s string) (float64, error) { return strconv.ParseFloat(s, 64) }, 0.01, 1000); err != nil {
		return nil, err
	}
	if o.batchSizes, err = list(*batch, "batch-size", strconv.Atoi, 1, 10); err != nil {
		return nil, err
	}
	if o.concurrencies, err = list(*conc, "max-concurrency", strconv.Atoi, 1, 64); err != nil {
		return nil, err
	}
	if o.memories, err = list(*mem, "memory", strconv.Atoi, 128, 10240); err != nil {
		return nil, err
	}
	if o.batchConcurrencies, err = list(*batchConc, "batch-concurrency", strconv.Atoi, 1, 10); err != nil {
		return nil, err
	}
	if o.windows, err = list(*window, "window", seconds, 0, 300*time.Second); err != nil {
		return nil, err
	}
	if o.base.Duration <= 0 || o.base.PBXRate <= 0 || o.base.Webhooks < 1 {
		return nil, errors.New("-duration, -pbx-mibps and -webhooks must be positive")
	}
	return o, nil
}

// seconds reads a window: seconds ("5") or a duration ("500ms").
func seconds(s string) (time.Duration, error) {
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		return time.Duration(n * float64(time.Second)), nil
	}
	return time.ParseDuration(s)
}

// list reads a comma-separated list of values in [lo, hi].
func list[T int | float64 | time.Duration](s, name string, parse func(string) (T, error), lo, hi T) ([]T, error) {
	var out []T
	for f := range strings.SplitSeq(s, ",") {
		v, err := parse(strings.TrimSpace(f))
		if err != nil || v < lo || v > hi {
			return nil, fmt.Errorf("-%s: %q is not a value from %v to %v", name, f, lo, hi)
		}
		out = append(out, v)
	}
	return out, nil
}

// defaultUploaderMemory is the memory setting the SDK's default uploader
// needs with copies copies at once: its buffers ((5+1) x 5 MiB a copy)
// within half the setting, as the function keeps its own
// (pkg/config.UploadFor), and never less than the run it is compared with.
func defaultUploaderMemory(memory, copies int) int {
	return max(memory, 2*copies*(5+1)*5)
}

// settings are the runs the options ask for, in order: each combination,
// followed by its default-uploader run when asked: at the same memory
// setting, or at the memory that uploader needs (defaultUploaderMemory).
func (o *options) settings() []setting {
	var out []setting
	for _, rate := range o.rates {
		for _, b := range o.batchSizes {
			for _, w := range o.windows {
				for _, c := range o.concurrencies {
					for _, m := range o.memories {
						for _, bc := range o.batchConcurrencies {
							s := o.base
							s.Rate, s.BatchSize, s.Window, s.MaxConcurrency, s.Memory, s.BatchConcurrency = rate, b, w, c, m, bc
							out = append(out, s)
							if o.baseline {
								s.DefaultUploader = true
								if o.baselineFitMemory {
									s.Memory = defaultUploaderMemory(s.Memory, bc)
								}
								out = append(out, s)
							}
						}
					}
				}
			}
		}
	}
	return out
}

// runAll runs every setting and writes the report to w. It fails when a
// run lost a recording, stored one twice or left an upload open.
func runAll(ctx context.Context, args []string, w io.Writer) error {
	o, err := parseFlags(args, os.Stderr)
	if err != nil {
		return err
	}
	if err := localenv.CheckTools(); err != nil {
		return err
	}
	bootstraps := map[string]string{}
	for _, name := range []string{"recording-sync", "pbx-webhook"} {
		if bootstraps[name], err = localenv.Bootstrap(ctx, name); err != nil {
			return err
		}
	}
	var runs []*figures
	for _, s := range o.settings() {
		if _, err := fmt.Fprintf(w, "run: %s ...\n", s.label()); err != nil {
			return err
		}
		f, err := run(ctx, s, bootstraps)
		if err != nil {
			return fmt.Errorf("%s: %w", s.label(), err)
		}
		runs = append(runs, f)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n`benchpath %s`, %s\n\n", strings.Join(args, " "), time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	writeRuns(&b, runs)
	writeRatios(&b, runs)
	writeDetails(&b, runs)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	for _, f := range runs {
		if !f.ok() {
			return fmt.Errorf("%s: %d lost, %d stored twice, %d uploads left open", f.Setting.label(), f.Lost, f.StoredTwice, f.OpenUploads)
		}
	}
	return nil
}
