package config

import (
	"runtime"
	"runtime/debug"
)

// ApplyProcessSettings sets the process-wide runtime settings for the
// function's memory setting: the Go soft memory limit (MemoryLimit) and the
// number of threads running Go code (Procs), each unless the operator set
// GOMEMLIMIT or GOMAXPROCS. A main calls it first, before any work.
func ApplyProcessSettings(lookup func(string) (string, bool)) {
	if limit := MemoryLimit(lookup); limit > 0 {
		debug.SetMemoryLimit(limit)
	}
	if n := Procs(lookup, runtime.NumCPU()); n > 0 {
		runtime.GOMAXPROCS(n)
	}
}
