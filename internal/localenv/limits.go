package localenv

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Lambda gives a function a share of a vCPU in proportion to its memory
// setting (one vCPU at 1,769 MB) and ends it when it needs more memory than
// the setting; the emulator does neither. LambdaOptions.Limit gives the
// emulator and the function both, through a cgroup (v1) of their own: on
// Linux, with the cpu and memory hierarchies writable (root in a VM or a
// container). The emulator's own small share of CPU and memory counts
// against the limits too.

// cgroupRoot is where the cgroup v1 hierarchies are mounted.
var cgroupRoot = "/sys/fs/cgroup"

const (
	mbPerVCPU = 1769    // the memory setting that buys one vCPU
	cfsPeriod = 100_000 // µs: CPU time is shared out per period
)

// limits is the pair of cgroups, cpu and memory, a function runs in.
type limits struct {
	cpu, memory string // the cgroups' directories
}

var limitsMade atomic.Int64 // names the cgroups of this process apart

// newLimits makes the cgroups of a function of memoryMB: memoryMB/1769 of
// a CPU and memoryMB MiB of memory.
func newLimits(memoryMB int) (*limits, error) {
	name := fmt.Sprintf("recording-sync-%d-%d", os.Getpid(), limitsMade.Add(1))
	l := &limits{cpu: filepath.Join(cgroupRoot, "cpu", name), memory: filepath.Join(cgroupRoot, "memory", name)}
	quota := max(1000, memoryMB*cfsPeriod/mbPerVCPU)
	err := l.make(map[string]int64{
		filepath.Join(l.cpu, "cpu.cfs_period_us"):        cfsPeriod,
		filepath.Join(l.cpu, "cpu.cfs_quota_us"):         int64(quota),
		filepath.Join(l.memory, "memory.limit_in_bytes"): int64(memoryMB) << 20,
	})
	if err != nil {
		_ = l.remove()
		return nil, fmt.Errorf("localenv: Lambda's CPU and memory limits need the cgroup v1 cpu and memory hierarchies writable: %w", err)
	}
	return l, nil
}

// make creates the two cgroups and writes settings into them.
func (l *limits) make(settings map[string]int64) error {
	for _, dir := range []string{l.cpu, l.memory} {
		if err := os.Mkdir(dir, 0o750); err != nil {
			return err
		}
	}
	for path, v := range settings {
		if err := os.WriteFile(path, []byte(strconv.FormatInt(v, 10)), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// command returns cmd started inside the cgroups: a shell moves itself
// into them, then becomes cmd, so that cmd and every process it starts
// are limited from their first instruction.
func (l *limits) command(cmd *exec.Cmd) *exec.Cmd {
	script := `echo $$ > "$1/cgroup.procs" && echo $$ > "$2/cgroup.procs" && shift 2 && exec "$@"`
	args := append([]string{"-c", script, "sh", l.cpu, l.memory, cmd.Path}, cmd.Args[1:]...)
	limited := exec.Command("/bin/sh", args...)
	limited.Env = cmd.Env
	return limited
}

// OOMKills is how many processes the memory limit has ended.
func (l *limits) OOMKills() (int64, error) {
	return statOf(filepath.Join(l.memory, "memory.oom_control"), "oom_kill")
}

// Throttled is how long the CPU share has held the processes back.
func (l *limits) Throttled() (time.Duration, error) {
	ns, err := statOf(filepath.Join(l.cpu, "cpu.stat"), "throttled_time")
	return time.Duration(ns), err
}

// statOf reads the number of a "name value" line of a cgroup's file.
func statOf(path, name string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+" "); ok {
			return strconv.ParseInt(v, 10, 64)
		}
	}
	return 0, fmt.Errorf("localenv: %s has no %s", path, name)
}

// remove deletes the cgroups, once their processes have ended.
func (l *limits) remove() error {
	var errs []error
	for _, dir := range []string{l.cpu, l.memory} {
		if err := os.Remove(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
