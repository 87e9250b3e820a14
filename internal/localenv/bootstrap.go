package localenv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// cacheAge is how long an unused cached build is kept.
const cacheAge = 24 * time.Hour

// Bootstrap returns functions/<name> built as BuildFunction builds it, and
// builds it at most once for the same source. The binary is kept under
// os.TempDir in a directory named after a hash of the module's Go sources,
// go.mod, go.sum and the toolchain, so that the end-to-end test packages of
// one `go test ./...` (which all run the copy function) and later runs on
// unchanged source share one build; any change to the source makes a new
// one. Concurrent callers wait for the one that builds.
func Bootstrap(ctx context.Context, name string) (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	sum, err := sourceHash(root)
	if err != nil {
		return "", fmt.Errorf("localenv: hash the source: %w", err)
	}
	cache := filepath.Join(os.TempDir(), "recording-sync-bootstrap")
	dir := filepath.Join(cache, name+"-"+sum[:16])
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("localenv: %w", err)
	}
	unlock, err := lock(filepath.Join(dir, "lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	out := filepath.Join(dir, "bootstrap")
	if _, err := os.Stat(out); err == nil {
		now := time.Now()
		_ = os.Chtimes(dir, now, now) // marks the build as used, for prune
		return out, nil
	}
	prune(cache, name)
	// Built under another name and renamed: a build that fails half way
	// leaves no binary behind that a later run would take as done.
	if _, err := build(ctx, out+".tmp", name); err != nil {
		return "", err
	}
	if err := os.Rename(out+".tmp", out); err != nil {
		return "", fmt.Errorf("localenv: %w", err)
	}
	return out, nil
}

// lock takes an exclusive lock on path, waiting for another holder.
func lock(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("localenv: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("localenv: lock %s: %w", path, err)
	}
	// Closing the file releases the lock.
	return func() { _ = f.Close() }, nil
}

// prune removes the cached builds of name not used for cacheAge.
func prune(cache, name string) {
	old, _ := filepath.Glob(filepath.Join(cache, name+"-*"))
	for _, dir := range old {
		if fi, err := os.Stat(dir); err == nil && time.Since(fi.ModTime()) > cacheAge {
			_ = os.RemoveAll(dir)
		}
	}
}

// sourceHash is a hash of everything a build of the module's functions
// depends on: the Go toolchain and target, go.mod, go.sum and every non-test
// Go file of the module (tools/ is its own module and not linked in).
func sourceHash(root string) (string, error) {
	h := sha256.New()
	_, _ = fmt.Fprintln(h, runtime.Version(), runtime.GOARCH, os.Getenv("GOFLAGS"))
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "tools" || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if rel != "go.mod" && rel != "go.sum" && (!strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go")) {
			return nil
		}
		return hashFile(h, rel, path)
	})
	return hex.EncodeToString(h.Sum(nil)), err
}

// hashFile adds the name and the content of the file at path to h.
func hashFile(h io.Writer, name, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()      // read only
	_, _ = fmt.Fprintf(h, "%s\x00", name) // a hash never fails a write
	_, err = io.Copy(h, f)
	return err
}
