package config

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestApplyProcessSettings(t *testing.T) {
	procs, limit := runtime.GOMAXPROCS(0), debug.SetMemoryLimit(-1)
	t.Cleanup(func() {
		runtime.GOMAXPROCS(procs)
		debug.SetMemoryLimit(limit)
	})
	env := map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512"}
	ApplyProcessSettings(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if got, want := debug.SetMemoryLimit(-1), int64(512)<<20*5/8; got != want {
		t.Errorf("memory limit = %d, want %d", got, want)
	}
	if got := runtime.GOMAXPROCS(0); got != 1 {
		t.Errorf("GOMAXPROCS = %d, want 1 at 512 MB", got)
	}
}
