package localenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
)

// toolPackages maps a tool's binary name to its package in tools/go.mod,
// from which `make tools` installs it.
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

// Tool returns the path of a pinned tool binary in <repo>/.bin. It never
// installs one: `make tools` does, and `make test` and `make demo` run it
// first. An install from inside `go test` would hide minutes of download
// and build behind a test's timeout and need a lock between test packages;
// a missing tool is an error that says what to run instead.
func Tool(name string) (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	return tool(root, name)
}

// CheckTools reports the first pinned tool missing from <repo>/.bin, so that
// a caller needing them all fails before any slow setup.
func CheckTools() error {
	root, err := RepoRoot()
	if err != nil {
		return err
	}
	return checkTools(root)
}

// checkTools is CheckTools for the repository at root.
func checkTools(root string) error {
	for _, name := range slices.Sorted(maps.Keys(toolPackages)) {
		if _, err := tool(root, name); err != nil {
			return err
		}
	}
	return nil
}

// tool is Tool for the repository at root.
func tool(root, name string) (string, error) {
	if _, ok := toolPackages[name]; !ok {
		return "", fmt.Errorf("localenv: unknown tool %q", name)
	}
	rel := filepath.Join(".bin", name)
	path := filepath.Join(root, rel)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("localenv: %s is missing: run `make tools`", rel)
	} else if err != nil {
		return "", fmt.Errorf("localenv: %w", err)
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
