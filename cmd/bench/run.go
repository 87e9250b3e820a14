package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

// job is one (method, size) to measure.
type job struct {
	Method string
	Memory int      // the function's memory setting in MB; 0 for other methods
	Env    []string // the function's extra settings, NAME=value (-fn-env, the defaults sweep); nil for other methods
	Size   int64
}

// result is what one job measured.
type result struct {
	job
	Skipped    string // why it did not run; nothing else is set
	Err        string // why it failed
	Wall       time.Duration
	CPU        time.Duration // user + sys of the copying process and its reaped children
	MaxRSS     int64         // peak RSS in bytes (see childReport.PeakRSS)
	WriteBytes int64         // /proc/<pid>/io write_bytes
	ReadCalls  int64         // /proc/<pid>/io syscr: read system calls
	WriteCalls int64         // /proc/<pid>/io syscw: write system calls
	S3         map[string]int
	PBX        map[string]int
	Source     time.Duration // generating the bytes, method ceiling only
	ServerCPU  time.Duration // the S3 server's CPU during the run
	StackCPU   time.Duration // the bench process's own CPU (the PBX simulator) during the run
	Runs       int           // runs measured: the durations are their medians, the peaks their maxima
}

// methodOrder is the order of the table's rows for one size.
var methodOrder = []string{methodFunction, methodUploader, methodCeiling, methodReadAll, methodTempFile, methodCLI}

// plan lists the jobs: for each size, the function at each memory setting,
// then the other methods.
func plan(sizes []int64, memories []int, methods map[string]bool, fnEnv []string) []job {
	var jobs []job
	for _, size := range sizes {
		for _, m := range methodOrder {
			if !methods[m] {
				continue
			}
			if m != methodFunction {
				jobs = append(jobs, job{Method: m, Size: size})
				continue
			}
			for _, mb := range memories {
				jobs = append(jobs, job{Method: m, Memory: mb, Size: size, Env: fnEnv})
			}
		}
	}
	return jobs
}

// sweepCandidates are the part sizes (MiB) and parts in flight the
// defaults sweep tries at every memory setting: the SDK's default, and
// the neighbours of the function's defaults.
var sweepCandidates = [][2]int{{5, 2}, {5, 5}, {8, 2}, {8, 3}, {16, 2}, {16, 4}, {32, 2}, {32, 4}}

// planSweep lists the function's runs at each memory setting with each
// candidate sizing, copying size bytes.
func planSweep(size int64, memories []int) []job {
	var jobs []job
	for _, mb := range memories {
		for _, c := range sweepCandidates {
			jobs = append(jobs, job{Method: methodFunction, Memory: mb, Size: size, Env: []string{
				fmt.Sprintf("UPLOAD_PART_SIZE_MIB=%d", c[0]), fmt.Sprintf("UPLOAD_CONCURRENCY=%d", c[1]),
			}})
		}
	}
	return jobs
}

// skipReason says why j cannot run on this machine, or "".
func (b *bench) skipReason(j job) string {
	switch j.Method {
	case methodCLI:
		if b.aws == "" {
			return "skipped: no `aws` CLI installed"
		}
	case methodReadAll:
		// io.ReadAll grows its slice by copying: about twice the size at peak.
		if need, avail := j.Size*5/2, memAvailable(); avail > 0 && need > avail {
			return fmt.Sprintf("skipped: needs about %s of memory, %s available", formatMiB(need), formatMiB(avail))
		}
	case methodTempFile:
		// The temporary file and the S3 server's copy of the object share
		// the disk; versitygw assembles multipart uploads in a second copy.
		var st syscall.Statfs_t
		if err := syscall.Statfs(os.TempDir(), &st); err == nil {
			if need, free := 3*j.Size, int64(st.Bavail)*st.Bsize; need > free { //nolint:gosec // block counts fit int64
				return fmt.Sprintf("skipped: needs about %s of disk, %s free", formatMiB(need), formatMiB(free))
			}
		}
	}
	return ""
}

// measure runs j in a child process and collects its measurements.
func (b *bench) measure(ctx context.Context, j job, profileDir string) result {
	res := result{job: j}
	if res.Skipped = b.skipReason(j); res.Skipped != "" {
		return res
	}
	b.seq++
	spec := childSpec{
		Method: j.Method, ID: 1000 + b.seq, Size: j.Size, Bucket: bucket,
		File: fmt.Sprintf("20250102030405-%d.%d-2001-2002-Internal.wav", time.Now().Unix(), b.seq),
		AWS:  b.aws,
	}
	spec.Key = "bench/" + spec.File
	if profileDir != "" {
		spec.CPUProfile = filepath.Join(profileDir, fmt.Sprintf("%s-%d-%s.pprof", j.Method, j.Memory, sizeLabel(j.Size)))
	}
	b.sim.AddRecording(yeastartest.Recording{ID: spec.ID, File: spec.File, Size: spec.Size})
	logf(b.log, "--- %s, memory %d MB, %s\n", j.Method, j.Memory, sizeLabel(j.Size))
	before := b.sim.Stats()
	if _, err := b.s3log.take(); err != nil { // requests before this one's
		res.Err = err.Error()
		return res
	}
	serverBefore, _ := processCPU(b.s3.Pid()) // a failed read shows as 0
	stackBefore := selfCPU()
	rep, ps, wall, err := b.runChild(ctx, spec, append(b.childEnv(j.Memory), j.Env...))
	res.StackCPU = selfCPU() - stackBefore
	if serverAfter, serr := processCPU(b.s3.Pid()); serr == nil {
		res.ServerCPU = serverAfter - serverBefore
	}
	res.Wall = wall
	var lerr error
	if res.S3, lerr = b.s3log.take(); err == nil {
		err = lerr
	}
	res.PBX = pbxDelta(before, b.sim.Stats())
	if ps != nil {
		if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
			res.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	if err == nil {
		err = b.verify(ctx, rep.Key, spec.File, j.Size)
	}
	if cerr := b.emptyBucket(context.WithoutCancel(ctx)); err == nil && cerr != nil {
		err = fmt.Errorf("empty bucket: %w", cerr)
	}
	if err != nil {
		res.Err = err.Error()
		return res
	}
	res.WriteBytes = rep.IO.WriteBytes
	res.ReadCalls, res.WriteCalls = rep.IO.ReadCalls, rep.IO.WriteCalls
	res.Runs = 1
	res.Source = time.Duration(rep.SourceSeconds * float64(time.Second))
	res.MaxRSS = rep.PeakRSS
	return res
}

// measureRounds measures every job runs times (at least once), in rounds:
// each round runs every job once, so that the machine's drift over the
// minutes a bench takes (other tenants, memory reclaim) touches the methods
// compared alike. A failed or skipped run is the job's result; the others
// are summed up by summarize. Only the first round writes CPU profiles.
func (b *bench) measureRounds(ctx context.Context, jobs []job, runs int, profileDir string, progress io.Writer) ([]result, error) {
	all := make([][]result, len(jobs))
	for round := range max(runs, 1) {
		for i, j := range jobs {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if n := len(all[i]); n > 0 && (all[i][n-1].Skipped != "" || all[i][n-1].Err != "") {
				continue
			}
			r := b.measure(ctx, j, profileDir)
			logf(progress, "run %d/%d: %s\n", round+1, max(runs, 1), progressLine(r))
			all[i] = append(all[i], r)
		}
		profileDir = ""
	}
	out := make([]result, len(jobs))
	for i, rs := range all {
		if last := rs[len(rs)-1]; last.Skipped != "" || last.Err != "" {
			out[i] = last
			continue
		}
		out[i] = summarize(rs)
	}
	return out, nil
}

// summarize folds the results of runs of one job into one (see
// measureRounds).
func summarize(all []result) result {
	out := all[0]
	out.Runs = len(all)
	out.Wall = median(all, func(r result) time.Duration { return r.Wall })
	out.CPU = median(all, func(r result) time.Duration { return r.CPU })
	out.ServerCPU = median(all, func(r result) time.Duration { return r.ServerCPU })
	out.StackCPU = median(all, func(r result) time.Duration { return r.StackCPU })
	out.Source = median(all, func(r result) time.Duration { return r.Source })
	out.ReadCalls = median(all, func(r result) int64 { return r.ReadCalls })
	out.WriteCalls = median(all, func(r result) int64 { return r.WriteCalls })
	for _, r := range all[1:] {
		out.MaxRSS = max(out.MaxRSS, r.MaxRSS)
		out.WriteBytes = max(out.WriteBytes, r.WriteBytes)
	}
	return out
}

// median returns the median of f over results (the upper one of an even
// count).
func median[T cmp.Ordered](results []result, f func(result) T) T {
	v := make([]T, len(results))
	for i, r := range results {
		v[i] = f(r)
	}
	slices.Sort(v)
	return v[len(v)/2]
}

// runChild re-executes this binary to copy spec, with env. It returns the
// child's report, its process state (for rusage) and its wall time.
func (b *bench) runChild(ctx context.Context, spec childSpec, env []string) (childReport, *os.ProcessState, time.Duration, error) {
	arg, err := json.Marshal(spec)
	if err != nil {
		return childReport{}, nil, 0, err
	}
	var stdout bytes.Buffer
	stderr := &tailBuffer{max: 4 << 10}
	cmd := exec.CommandContext(ctx, b.exe, childCommand, string(arg)) //nolint:gosec // this very binary
	cmd.Env = env
	cmd.Stdout = &stdout
	cmd.Stderr = io.MultiWriter(b.log, stderr)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return childReport{}, cmd.ProcessState, wall, fmt.Errorf("%w: %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	var rep childReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		return childReport{}, cmd.ProcessState, wall, fmt.Errorf("child report %q: %w", stdout.String(), err)
	}
	if rep.Bytes != spec.Size {
		return rep, cmd.ProcessState, wall, fmt.Errorf("copied %d bytes, want %d", rep.Bytes, spec.Size)
	}
	return rep, cmd.ProcessState, wall, nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = t.buf[len(t.buf)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) Bytes() []byte { return t.buf }

// pbxDelta counts the PBX requests between two snapshots: API requests by
// endpoint, and downloads started.
func pbxDelta(before, after yeastartest.Stats) map[string]int {
	d := map[string]int{}
	for ep, n := range after.APIRequests {
		if n -= before.APIRequests[ep]; n > 0 {
			d[ep] = n
		}
	}
	if n := after.DownloadsStarted - before.DownloadsStarted; n > 0 {
		d["download"] = n
	}
	return d
}
