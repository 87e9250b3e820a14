package localenv

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// FunctionPeakRSS returns the peak resident set size (VmHWM) in bytes of
// the function process the emulator started, the bootstrap itself.
func (l *Lambda) FunctionPeakRSS() (int64, error) {
	pid, err := childPID(l.proc.cmd.Process.Pid)
	if err != nil {
		return 0, err
	}
	return peakRSS(pid)
}

// FunctionCPU returns the CPU time (user and system) the function
// process has used so far.
func (l *Lambda) FunctionCPU() (time.Duration, error) {
	pid, err := childPID(l.proc.cmd.Process.Pid)
	if err != nil {
		return 0, err
	}
	fields, err := statFields(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// utime and stime, fields 14 and 15 of stat(5), in clock ticks of
	// 1/100 s (USER_HZ).
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("localenv: /proc/%d/stat: %w", pid, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond, nil
}

// childPID finds the first process whose parent is ppid.
func childPID(ppid int) (int, error) {
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		return 0, err
	}
	for _, path := range stats {
		fields, err := statFields(path)
		if err != nil {
			continue // the process ended meanwhile
		}
		if fields[1] == strconv.Itoa(ppid) {
			return strconv.Atoi(filepath.Base(filepath.Dir(path)))
		}
	}
	return 0, fmt.Errorf("localenv: no child of process %d", ppid)
}

// statFields returns the fields of a /proc/<pid>/stat file from the
// third, the state, on: the first two are "pid (comm)", and comm may hold
// spaces.
func statFields(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil, fmt.Errorf("localenv: %s: no command name", path)
	}
	fields := strings.Fields(string(b[i+1:]))
	if len(fields) < 13 {
		return nil, fmt.Errorf("localenv: %s: %d fields", path, len(fields))
	}
	return fields, nil
}

// peakRSS reads VmHWM from /proc/<pid>/status, in bytes.
func peakRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer func() { _ = f.Close() }() // read only
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("localenv: no VmHWM for process %d", pid)
}

// DumpGoroutines makes the function process print the stack of every
// goroutine to its output and exit (SIGQUIT, the Go runtime's default):
// what an invocation that never ended was waiting on. The process is not
// usable afterwards.
func (l *Lambda) DumpGoroutines() error {
	pid, err := childPID(l.proc.cmd.Process.Pid)
	if err != nil {
		return err
	}
	return syscall.Kill(pid, syscall.SIGQUIT)
}
