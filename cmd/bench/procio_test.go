package main

import (
	"os"
	"strings"
	"testing"
	"time"
)

// A /proc/<pid>/io as Linux prints it.
const sampleProcIO = `rchar: 1073807642
wchar: 1073745312
syscr: 16537
syscw: 16411
read_bytes: 4096
write_bytes: 1073745920
cancelled_write_bytes: 1073741824
`

func TestParseProcIO(t *testing.T) {
	got, err := parseProcIO(strings.NewReader(sampleProcIO))
	if err != nil {
		t.Fatal(err)
	}
	want := ioCounters{ReadBytes: 4096, WriteBytes: 1073745920, CancelledWriteBytes: 1073741824, ReadCalls: 16537, WriteCalls: 16411}
	if got != want {
		t.Errorf("parseProcIO = %+v, want %+v", got, want)
	}
}

func TestParseProcIOErrors(t *testing.T) {
	tests := map[string]string{
		"empty":           "",
		"missing counter": "read_bytes: 1\nwrite_bytes: 2\n",
		"not a number":    strings.Replace(sampleProcIO, "write_bytes: 1073745920", "write_bytes: lots", 1),
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			if got, err := parseProcIO(strings.NewReader(in)); err == nil {
				t.Errorf("parseProcIO = %+v, want an error", got)
			}
		})
	}
}

// TestReadSelfIO: the counters are this process's own: read calls made
// between two readings show in the second.
func TestReadSelfIO(t *testing.T) {
	before, err := readSelfIO()
	if err != nil {
		t.Fatalf("readSelfIO: %v", err)
	}
	for range 3 {
		if _, err := os.ReadFile("procio_test.go"); err != nil {
			t.Fatal(err)
		}
	}
	after, err := readSelfIO()
	if err != nil {
		t.Fatalf("readSelfIO: %v", err)
	}
	if after.ReadCalls < before.ReadCalls+3 {
		t.Errorf("read calls went from %d to %d over three file reads", before.ReadCalls, after.ReadCalls)
	}
}

func TestParseVmHWM(t *testing.T) {
	status := "Name:\tbench\nVmPeak:\t 1234 kB\nVmHWM:\t   51200 kB\nVmRSS:\t 40000 kB\n"
	got, err := parseVMHWM(status)
	if err != nil || got != 50<<20 {
		t.Errorf("parseVMHWM = %d, %v; want %d", got, err, 50<<20)
	}
	if _, err := parseVMHWM("Name:\tbench\n"); err == nil {
		t.Error("parseVMHWM found a VmHWM in a status without one")
	}
	if n, err := peakRSS("self"); err != nil || n <= 0 {
		t.Errorf("peakRSS(self) = %d, %v", n, err)
	}
}

func TestParseStatCPU(t *testing.T) {
	// A command name with a space and a parenthesis, utime 250, stime 30.
	stat := "4242 (versity gw) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 30 0 0 20 0 9 0 100 0 0"
	got, err := parseStatCPU(stat)
	if err != nil {
		t.Fatal(err)
	}
	if want := 2800 * time.Millisecond; got != want {
		t.Errorf("parseStatCPU = %v, want %v", got, want)
	}
	if _, err := parseStatCPU("4242 (gw S 1"); err == nil {
		t.Error("a truncated stat line parsed")
	}
	if _, err := parseStatCPU("4242 (gw) S 1 2 3"); err == nil {
		t.Error("a stat line with too few fields parsed")
	}
}

func TestProcessCPUOfSelf(t *testing.T) {
	got, err := processCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if got < 0 || got > selfCPU()+time.Second {
		t.Errorf("processCPU(self) = %v, rusage says %v", got, selfCPU())
	}
}
