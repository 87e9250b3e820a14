package localenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// toolPackages maps a tool's binary name to its package in tools/go.mod.
var toolPackages = map[string]string{
	"versitygw":      "github.com/versity/versitygw/cmd/versitygw",
	"aws-lambda-rie": "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie",
}

// RepoRoot returns the directory holding the project's go.mod, found by
// walking up from the working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil &&
			bytes.HasPrefix(b, []byte("module github.com/recording-sync/recording-sync\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("localenv: not inside the recording-sync repository")
		}
		dir = parent
	}
}

// Tool returns the path of a pinned tool binary, installing it into
// <repo>/.bin from tools/go.mod when it is missing. Concurrent callers
// (test packages run in parallel) wait for one install.
func Tool(ctx context.Context, name string) (string, error) {
	pkg, ok := toolPackages[name]
	if !ok {
		return "", fmt.Errorf("localenv: unknown tool %q", name)
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	binDir := filepath.Join(root, ".bin")
	path := filepath.Join(binDir, name)
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := os.MkdirAll(binDir, 0o750); err != nil {
		return "", err
	}
	lock, err := os.OpenFile(filepath.Join(binDir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return "", err
	}
	defer func() { _ = lock.Close() }() // nothing was written: closing only releases the lock
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", err
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) //nolint:errcheck // released on close anyway
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	cmd := exec.CommandContext(ctx, "go", "install", pkg)
	cmd.Dir = filepath.Join(root, "tools")
	cmd.Env = append(os.Environ(), "GOBIN="+binDir, "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("localenv: install %s: %w\n%s", name, err, out)
	}
	return path, nil
}

// BuildBootstrap compiles the Lambda function the way AWS runs it
// (linux, CGO_ENABLED=0, -tags lambda.norpc) into dir/bootstrap.
func BuildBootstrap(ctx context.Context, dir string) (string, error) {
	return build(ctx, filepath.Join(dir, "bootstrap"), "recording-sync")
}

// BuildFunction compiles functions/<name> as BuildBootstrap does, into
// dir/<name>/bootstrap, so that several functions can be built side by side.
func BuildFunction(ctx context.Context, dir, name string) (string, error) {
	if err := os.MkdirAll(filepath.Join(dir, name), 0o750); err != nil {
		return "", err
	}
	return build(ctx, filepath.Join(dir, name, "bootstrap"), name)
}

// build compiles functions/<name> into out.
func build(ctx context.Context, out, name string) (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", out, "./functions/"+name)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("localenv: build %s: %w\n%s", name, err, b)
	}
	return out, nil
}
