package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"

	"github.com/recording-sync/recording-sync/internal/localenv"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

// lambdaFlags are the Makefile's LAMBDA_FLAGS.
var lambdaFlags = []string{"-trimpath", "-ldflags=-s -w", "-tags", "lambda.norpc"}

// coldStart is the function's package size and its first invocations
// under the Runtime Interface Emulator.
type coldStart struct {
	Sizes     map[string]int64 // bootstrap size by GOARCH
	Listening time.Duration    // from start until the emulator accepts invocations
	First     time.Duration    // from start until the first invocation's answer
	Second    time.Duration    // the second (warm) invocation alone
	Size      int64            // each invocation's recording
}

// buildBootstrap builds the function as `make build` does, for linux/goarch,
// and returns its path and size.
func buildBootstrap(ctx context.Context, dir, goarch string) (string, int64, error) {
	root, err := localenv.RepoRoot()
	if err != nil {
		return "", 0, err
	}
	out := filepath.Join(dir, "bootstrap-"+goarch)
	args := append(append([]string{"build"}, lambdaFlags...), "-o", out, "./functions/recording-sync")
	cmd := exec.CommandContext(ctx, "go", args...) //nolint:gosec // G204: go build of this repository's function
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch)
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", 0, fmt.Errorf("build bootstrap for %s: %w\n%s", goarch, err, b)
	}
	st, err := os.Stat(out)
	if err != nil {
		return "", 0, err
	}
	return out, st.Size(), nil
}

// measureColdStart builds the bootstrap for this machine and for arm64
// (the template's architecture), then times, from the emulator's start, the
// first invocation copying a 1 MiB recording, and a second one.
func (b *bench) measureColdStart(ctx context.Context) (*coldStart, error) {
	cs := &coldStart{Sizes: map[string]int64{}, Size: 1 << 20}
	var bootstrap string
	for _, arch := range []string{runtime.GOARCH, "arm64"} {
		if _, done := cs.Sizes[arch]; done {
			continue
		}
		path, size, err := buildBootstrap(ctx, b.work, arch)
		if err != nil {
			return nil, err
		}
		cs.Sizes[arch] = size
		if arch == runtime.GOARCH {
			bootstrap = path
		}
	}
	defer func() { _ = b.emptyBucket(context.WithoutCancel(ctx)) }()
	payloads := make([][]byte, 2)
	for i := range payloads {
		b.seq++
		file := fmt.Sprintf("20250102030405-%d.%d-2001-2002-Internal.wav", time.Now().Unix(), b.seq)
		b.sim.AddRecording(yeastartest.Recording{ID: 1000 + b.seq, File: file, Size: cs.Size})
		payloads[i] = fmt.Appendf(nil, `{"id": %d}`, 1000+b.seq)
	}
	start := time.Now()
	l, err := localenv.StartLambda(ctx, bootstrap, localenv.LambdaOptions{Env: b.childEnv(128), Memory: 128, Output: b.log})
	if err != nil {
		return nil, err
	}
	defer func() { _ = l.Close() }() // the emulator's exit status says nothing about the function
	cs.Listening = time.Since(start)
	if err := invokeOnce(ctx, l, payloads[0], cs.Size); err != nil {
		return nil, err
	}
	cs.First = time.Since(start)
	second := time.Now()
	if err := invokeOnce(ctx, l, payloads[1], cs.Size); err != nil {
		return nil, err
	}
	cs.Second = time.Since(second)
	return cs, nil
}

// invokeOnce invokes l with payload and checks that it copied size bytes.
func invokeOnce(ctx context.Context, l *localenv.Lambda, payload []byte, size int64) error {
	out, err := l.Invoke(ctx, payload)
	if err != nil {
		return err
	}
	var res struct {
		Bytes int64 `json:"bytes"`
	}
	if err := json.Unmarshal(out, &res); err != nil || res.Bytes != size {
		return fmt.Errorf("invocation answered %s, want %d bytes copied", out, size)
	}
	return nil
}
