package config

import "strconv"

// defaultFunctionMemoryMB is Lambda's default memory setting.
const defaultFunctionMemoryMB = 128

// MemoryLimit returns the Go soft memory limit, in bytes, for a function
// with the memory setting in AWS_LAMBDA_FUNCTION_MEMORY_SIZE: 5/16 of it,
// at least 32 MiB. The part buffers are long-lived, so a limit well below
// the setting makes the collector return the short-lived garbage (SDK
// request state, the first part's buffer) before the process grows, and
// keeps peak RSS flat whatever the recording's size (measured: 1 GiB at
// 128 MB peaks at about 46 MiB with it, 57 MiB without). It returns 0 when
// GOMEMLIMIT is set: the runtime already honours the operator's choice.
func MemoryLimit(lookup func(string) (string, bool)) int64 {
	if v, ok := lookup("GOMEMLIMIT"); ok && v != "" {
		return 0
	}
	mb := defaultFunctionMemoryMB
	if v, ok := lookup("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"); ok {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			mb = n
		}
	}
	return max(int64(mb)<<20*5/16, 32<<20)
}
