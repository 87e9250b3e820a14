package cli

import (
	"slices"
	"testing"
)

func TestEnvList(t *testing.T) {
	env, err := EnvList(" GOMEMLIMIT=100MiB, ,UPLOAD_CONCURRENCY=3,EMPTY=")
	if want := []string{"GOMEMLIMIT=100MiB", "UPLOAD_CONCURRENCY=3", "EMPTY="}; err != nil || !slices.Equal(env, want) {
		t.Errorf("EnvList = %q, %v; want %q", env, err, want)
	}
	for _, bad := range []string{"GOMEMLIMIT", "=3", "A=1,B"} {
		if _, err := EnvList(bad); err == nil {
			t.Errorf("EnvList(%q) succeeded, want an error", bad)
		}
	}
}
