package config

import "strconv"

// defaultFunctionMemoryMB is Lambda's default memory setting.
const defaultFunctionMemoryMB = 128

// MemoryLimit returns the Go soft memory limit, in bytes, for a function
// with the memory setting in AWS_LAMBDA_FUNCTION_MEMORY_SIZE: 5/8 of it,
// at least 32 MiB. The copies' part buffers may hold up to half the
// setting (UploadFor) and the rest of the heap is small: a limit above
// what the buffers hold makes the collector return the short-lived garbage
// (SDK request state, the first part) before the process grows, and keeps
// peak RSS within the setting. A limit below it (5/16 before) made the
// collector run without end against buffers it could not free: under
// Lambda's CPU share for 128 MB, two copies at once at 20 calls a second
// spent 27% less CPU per recording at 5/8 (12.4 to 9.0 ms, make
// bench-path -lambda-limits), with peak RSS 83 MiB instead of 80. It
// returns 0 when GOMEMLIMIT is set: the runtime already honours the
// operator's choice.
func MemoryLimit(lookup func(string) (string, bool)) int64 {
	if v, ok := lookup("GOMEMLIMIT"); ok && v != "" {
		return 0
	}
	return max(int64(memoryMB(lookup))<<20*5/8, 32<<20)
}

// memoryMB is the function's memory setting (AWS_LAMBDA_FUNCTION_MEMORY_SIZE),
// Lambda's default when unset or unreadable.
func memoryMB(lookup func(string) (string, bool)) int {
	if v, ok := lookup("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"); ok {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			return n
		}
	}
	return defaultFunctionMemoryMB
}

// vCPUMemoryMB is the memory setting at which Lambda gives a function the
// equivalent of one whole vCPU; the CPU share grows in proportion.
const vCPUMemoryMB = 1769

// Procs returns the number of threads running Go code (GOMAXPROCS) for
// the memory setting: one per whole vCPU Lambda gives the function, at
// least one and at most cpus. Lambda shows every function all its vCPUs
// but lets a small one use only a slice of their time (1/14 of one at 128
// MB), so a second thread there buys no speed and costs scheduling: with
// two, a 1 GiB copy at 128 MB took about 12% more CPU time (make bench
// -fn-env GOMAXPROCS=2). It returns 0 when GOMAXPROCS is set: the runtime
// already honours the operator's choice.
func Procs(lookup func(string) (string, bool), cpus int) int {
	if v, ok := lookup("GOMAXPROCS"); ok && v != "" {
		return 0
	}
	return max(1, min(cpus, memoryMB(lookup)/vCPUMemoryMB))
}
