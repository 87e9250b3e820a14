package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ioCounters are the counters of /proc/<pid>/io. WriteBytes counts the
// bytes a process caused to be sent to the storage layer (page-cache pages
// it dirtied), including those of its children once reaped; ReadCalls and
// WriteCalls count its read and write system calls of any kind (sockets
// included), a measure of how well it batches its I/O.
type ioCounters struct {
	ReadBytes           int64 `json:"readBytes"`
	WriteBytes          int64 `json:"writeBytes"`
	CancelledWriteBytes int64 `json:"cancelledWriteBytes"`
	ReadCalls           int64 `json:"readCalls"`
	WriteCalls          int64 `json:"writeCalls"`
}

// readSelfIO reads the calling process's /proc/self/io.
func readSelfIO() (ioCounters, error) {
	f, err := os.Open("/proc/self/io")
	if err != nil {
		return ioCounters{}, err
	}
	defer func() { _ = f.Close() }() // read only
	return parseProcIO(f)
}

// parseProcIO parses the "name: value" lines of /proc/<pid>/io. The five
// counters must be present; other lines are ignored.
func parseProcIO(r io.Reader) (ioCounters, error) {
	var c ioCounters
	fields := map[string]*int64{
		"read_bytes":            &c.ReadBytes,
		"write_bytes":           &c.WriteBytes,
		"cancelled_write_bytes": &c.CancelledWriteBytes,
		"syscr":                 &c.ReadCalls,
		"syscw":                 &c.WriteCalls,
	}
	found := 0
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		dst, known := fields[strings.TrimSpace(name)]
		if !ok || !known {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
		if err != nil {
			return ioCounters{}, fmt.Errorf("/proc io: %s: %w", name, err)
		}
		*dst = n
		found++
	}
	if err := sc.Err(); err != nil {
		return ioCounters{}, fmt.Errorf("/proc io: %w", err)
	}
	if found != len(fields) {
		return ioCounters{}, fmt.Errorf("/proc io: %d of the %d counters present", found, len(fields))
	}
	return c, nil
}

// peakRSS returns VmHWM of /proc/<pid>/status in bytes; pid may be "self".
func peakRSS(pid string) (int64, error) {
	b, err := os.ReadFile("/proc/" + pid + "/status") //nolint:gosec // G304: a /proc path built from a pid
	if err != nil {
		return 0, err
	}
	return parseVMHWM(string(b))
}

// parseVMHWM finds the "VmHWM: N kB" line of a /proc/<pid>/status text.
func parseVMHWM(status string) (int64, error) {
	for line := range strings.Lines(status) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc status: VmHWM: %w", err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("/proc status: no VmHWM")
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat's CPU times: 100 on
// every Linux the bench runs on.
const clockTicks = 100

// processCPU returns user+sys CPU time of /proc/<pid>/stat.
func processCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(string(b))
}

// parseStatCPU reads utime and stime (fields 14 and 15) of a /proc/<pid>/stat
// text. The command name (field 2) may hold spaces, so fields are counted
// from its closing parenthesis.
func parseStatCPU(stat string) (time.Duration, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc stat: no command name")
	}
	f := strings.Fields(stat[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc stat: %d fields after the command name", len(f))
	}
	var ticks int64
	for _, s := range f[11:13] { // fields 14 and 15, counting from 1 with pid and comm
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc stat: %w", err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// selfCPU returns the calling process's user+sys CPU time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
