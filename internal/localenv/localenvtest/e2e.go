package localenvtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/recording-sync/recording-sync/internal/localenv"
)

// E2EMain is the TestMain of an end-to-end test package, which runs built
// functions under the emulator against a real S3 server. It checks the
// tools, gets the bootstraps of functions (each built once for the same
// source and shared with the other packages, localenv.Bootstrap), starts
// an S3 server in a temporary folder, hands both to ready, runs the tests
// and stops the server. It returns the exit code for os.Exit.
func E2EMain(m *testing.M, functions []string, ready func(bootstraps map[string]string, s3 *localenv.S3Server)) int {
	code, err := runE2E(m, functions, ready)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return code
}

// runE2E sets up, runs the tests and returns their exit code, or why it
// could not run them.
func runE2E(m *testing.M, functions []string, ready func(map[string]string, *localenv.S3Server)) (int, error) {
	ctx := context.Background()
	// Before the build: a missing tool fails at once.
	if err := localenv.CheckTools(); err != nil {
		return 0, err
	}
	bootstraps := map[string]string{}
	for _, name := range functions {
		path, err := localenv.Bootstrap(ctx, name)
		if err != nil {
			return 0, err
		}
		bootstraps[name] = path
	}
	dir, err := os.MkdirTemp("", filepath.Base(os.Args[0])+"-e2e-")
	if err != nil {
		return 0, err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	s3, err := localenv.StartS3(ctx, dir, nil)
	if err != nil {
		return 0, err
	}
	defer func() { _ = s3.Close() }()
	ready(bootstraps, s3)
	return m.Run(), nil
}
