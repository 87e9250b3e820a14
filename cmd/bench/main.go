package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/recording-sync/recording-sync/internal/cli"
	"github.com/recording-sync/recording-sync/internal/localenv"
)

func main() {
	cli.Main("bench", func(ctx context.Context) error {
		if len(os.Args) > 1 && os.Args[1] == childCommand {
			return runChild(os.Args[2:], os.Stdout)
		}
		return run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	})
}

// options are the command line's.
type options struct {
	sizes      []int64
	memories   []int
	fnEnv      []string // extra environment of the function (method 1)
	runs       int      // runs per job
	sweep      int64    // size of the defaults sweep's copies; 0: no sweep
	methods    map[string]bool
	out        string
	command    string
	aws        string
	profileDir string
	keep       bool
	cold       bool
	exe        string // the binary to re-execute; os.Executable() by default
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.String("sizes", "1MiB,64MiB,1GiB,4GiB", "recording sizes, comma-separated (KiB, MiB, GiB)")
	memories := fs.String("memory", "128,512,1769", "the function's memory settings in MB, comma-separated")
	methods := fs.String("methods", strings.Join(methodOrder, ","), "methods to measure, comma-separated")
	var o options
	fs.IntVar(&o.runs, "runs", 3, "runs per measurement: the table shows the medians")
	sweep := fs.String("sweep", "1GiB", "size the function's upload defaults are swept at (part size x parts in flight, each memory setting); \"\" for no sweep")
	fnEnv := fs.String("fn-env", "", "extra settings for the function, comma-separated NAME=value (e.g. UPLOAD_CONCURRENCY=3), to try other defaults")
	fs.StringVar(&o.out, "out", "", "also write the Markdown report to this file")
	fs.StringVar(&o.command, "command", "", "the command line to show in the report (default: this one)")
	fs.StringVar(&o.aws, "aws", "", "the AWS CLI (default: /usr/bin/aws from Debian's awscli, else aws on PATH)")
	fs.StringVar(&o.profileDir, "cpuprofile", "", "write a CPU profile of each copying process into this folder")
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary folder (certificate, logs, S3 data)")
	fs.BoolVar(&o.cold, "cold", true, "measure the bootstrap's size and first invocation")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var err error
	if o.sizes, err = parseSizes(*sizes); err != nil {
		return options{}, err
	}
	if o.fnEnv, err = cli.EnvList(*fnEnv); err != nil {
		return options{}, fmt.Errorf("-fn-env: %w", err)
	}
	if *sweep != "" {
		sw, err := parseSizes(*sweep)
		if err != nil || len(sw) != 1 {
			return options{}, fmt.Errorf("-sweep: want one size, got %q", *sweep)
		}
		o.sweep = sw[0]
	}
	if o.runs < 1 {
		return options{}, fmt.Errorf("-runs: want at least 1, got %d", o.runs)
	}
	if o.memories, err = parseInts(*memories); err != nil {
		return options{}, fmt.Errorf("-memory: %w", err)
	}
	o.methods = map[string]bool{}
	for _, m := range strings.Split(*methods, ",") {
		if m = strings.TrimSpace(m); m == "" {
			continue
		}
		if _, ok := copyFuncs[m]; !ok {
			return options{}, fmt.Errorf("-methods: unknown method %q (known: %s)", m, strings.Join(methodOrder, ", "))
		}
		o.methods[m] = true
	}
	if o.command == "" {
		o.command = strings.TrimSpace("go run ./cmd/bench " + strings.Join(args, " "))
	}
	return o, nil
}

// run measures what args ask for and prints the report to stdout.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	if o.exe == "" {
		if o.exe, err = os.Executable(); err != nil {
			return err
		}
	}
	md, err := measureAll(ctx, o, stderr)
	if md != "" && o.out != "" {
		var nerr error
		if md, nerr = withKeptNotes(md, o.out); nerr != nil {
			return errors.Join(err, nerr)
		}
	}
	if md != "" {
		if _, werr := fmt.Fprint(stdout, md); werr != nil {
			return errors.Join(err, werr)
		}
		if o.out != "" {
			if werr := os.WriteFile(o.out, []byte(md), 0o644); werr != nil { //nolint:gosec // a documentation page
				return errors.Join(err, werr)
			}
		}
	}
	return err
}

// measureAll starts the stack, runs every job and renders the report. A
// failed job is reported in the table and makes the returned error non-nil.
func measureAll(ctx context.Context, o options, progress io.Writer) (string, error) {
	awsCLI := findAWS(o.aws)
	if o.methods[methodCLI] && awsCLI == "" {
		logf(progress, "bench: no aws CLI installed: method 5 is skipped\n")
	}
	if o.profileDir != "" {
		if err := os.MkdirAll(o.profileDir, 0o750); err != nil {
			return "", err
		}
	}
	if err := localenv.CheckTools(); err != nil {
		return "", err
	}
	b, err := startBench(ctx, o.exe, awsCLI, slices.Max(o.sizes))
	if err != nil {
		return "", err
	}
	defer b.close(o.keep)
	if o.keep {
		logf(progress, "bench: working in %s\n", b.work)
	}
	rep := report{Machine: describeMachine(ctx, awsCLI), Command: o.command}
	rep.Machine.S3Data = b.s3DataPlace()
	var failed []string
	measure := func(jobs []job) ([]result, error) {
		rs, err := b.measureRounds(ctx, jobs, o.runs, o.profileDir, progress)
		for _, r := range rs {
			logf(progress, "%s\n", progressLine(r))
			if r.Err != "" {
				failed = append(failed, fmt.Sprintf("%s %s", r.label(), formatSize(r.Size)))
			}
		}
		return rs, err
	}
	// One size at a time: the rounds of 4 GiB copies are long enough.
	jobs := plan(o.sizes, o.memories, o.methods, o.fnEnv)
	for len(jobs) > 0 {
		n := 1
		for n < len(jobs) && jobs[n].Size == jobs[0].Size {
			n++
		}
		rs, err := measure(jobs[:n])
		if err != nil {
			return "", err
		}
		rep.Results = append(rep.Results, rs...)
		jobs = jobs[n:]
	}
	if o.sweep > 0 {
		if rep.Sweep, err = measure(planSweep(o.sweep, o.memories)); err != nil {
			return "", err
		}
	}
	if o.cold {
		start := time.Now()
		if rep.Cold, err = b.measureColdStart(ctx); err != nil {
			rep.ColdErr = err.Error()
			failed = append(failed, "first invocation")
		}
		logf(progress, "bench: package size and first invocation measured in %s\n", time.Since(start).Round(time.Second))
	}
	rep.Machine.Date = time.Now().UTC()
	if len(failed) > 0 {
		err = fmt.Errorf("failed: %s (details in the table)", strings.Join(failed, "; "))
	}
	return renderReport(rep), err
}

// logf writes progress or a log line. A failed write must not stop a
// measurement: the report is what matters.
func logf(w io.Writer, format string, args ...any) {
	_, _ = fmt.Fprintf(w, format, args...)
}

// progressLine summarises one result for the terminal.
func progressLine(r result) string {
	head := fmt.Sprintf("%-8s %s", formatSize(r.Size), r.label())
	switch {
	case r.Skipped != "":
		return head + ": " + r.Skipped
	case r.Err != "":
		return head + ": FAILED: " + r.Err
	}
	return fmt.Sprintf("%s: %.2f s wall, %.2f s CPU (S3 server %.2f s, PBX simulator %.2f s), %.0f MiB peak RSS, %s MiB written, %d reads, %d writes, S3 %s",
		head, r.Wall.Seconds(), r.CPU.Seconds(), r.ServerCPU.Seconds(), r.StackCPU.Seconds(), float64(r.MaxRSS)/(1<<20), formatWrites(r.WriteBytes), r.ReadCalls, r.WriteCalls, formatCounts(r.S3, s3Names))
}
