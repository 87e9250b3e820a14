package main

import (
	"strings"
	"testing"
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
	want := ioCounters{ReadBytes: 4096, WriteBytes: 1073745920, CancelledWriteBytes: 1073741824}
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

func TestReadSelfIO(t *testing.T) {
	if _, err := readSelfIO(); err != nil {
		t.Fatalf("readSelfIO: %v", err)
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
