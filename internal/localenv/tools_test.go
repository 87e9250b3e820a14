package localenv

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// A missing tool is reported at once, in one line that says what to run,
// and nothing is installed.
func TestToolMissing(t *testing.T) {
	root := t.TempDir()
	for _, name := range []string{"versitygw", "aws-lambda-rie"} {
		_, err := tool(root, name)
		want := "localenv: .bin/" + name + " is missing: run `make tools`"
		if err == nil || err.Error() != want {
			t.Errorf("tool(%q) = %v, want %q", name, err, want)
		}
	}
	if err := checkTools(root); err == nil || err.Error() != "localenv: .bin/aws-lambda-rie is missing: run `make tools`" {
		t.Errorf("checkTools = %v, want the first missing tool named", err)
	}
	if _, err := os.Stat(filepath.Join(root, ".bin")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf(".bin after looking for tools: %v, want it never created", err)
	}
}

func TestToolPresent(t *testing.T) {
	root := t.TempDir()
	bin := filepath.Join(root, ".bin")
	if err := os.Mkdir(bin, 0o750); err != nil {
		t.Fatal(err)
	}
	for name := range toolPackages {
		if err := os.WriteFile(filepath.Join(bin, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got, err := tool(root, "versitygw")
	if want := filepath.Join(bin, "versitygw"); err != nil || got != want {
		t.Errorf("tool = %q, %v; want %q", got, err, want)
	}
	if err := checkTools(root); err != nil {
		t.Errorf("checkTools with every tool present = %v", err)
	}
}

func TestToolUnknown(t *testing.T) {
	if _, err := tool(t.TempDir(), "minio"); err == nil || err.Error() != `localenv: unknown tool "minio"` {
		t.Errorf("tool(minio) = %v, want it refused as unknown", err)
	}
}
