package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// ioCounters are the storage counters of /proc/<pid>/io. WriteBytes counts
// the bytes a process caused to be sent to the storage layer (page-cache
// pages it dirtied), including those of its children once reaped.
type ioCounters struct {
	ReadBytes           int64 `json:"readBytes"`
	WriteBytes          int64 `json:"writeBytes"`
	CancelledWriteBytes int64 `json:"cancelledWriteBytes"`
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

// parseProcIO parses the "name: value" lines of /proc/<pid>/io. The three
// storage counters must be present; other lines are ignored.
func parseProcIO(r io.Reader) (ioCounters, error) {
	var c ioCounters
	fields := map[string]*int64{
		"read_bytes":            &c.ReadBytes,
		"write_bytes":           &c.WriteBytes,
		"cancelled_write_bytes": &c.CancelledWriteBytes,
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
		return ioCounters{}, fmt.Errorf("/proc io: %d of the %d storage counters present", found, len(fields))
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
