package localenv

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSourceHash: the key of a cached build changes with the sources a
// build reads and with nothing else.
func TestSourceHash(t *testing.T) {
	root := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	hash := func() string {
		t.Helper()
		h, err := sourceHash(root)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	write("go.mod", "module m\n")
	write("pkg/a/a.go", "package a\n")
	base := hash()
	for name, content := range map[string]string{
		"pkg/a/a_test.go":       "package a\n",
		"README.md":             "docs\n",
		"tools/x.go":            "package tools\n",
		".bin/versitygw":        "binary",
		"pkg/a/testdata/x.json": "{}",
	} {
		write(name, content)
		if h := hash(); h != base {
			t.Errorf("writing %s changed the hash", name)
		}
	}
	for _, name := range []string{"pkg/a/a.go", "pkg/b/b.go", "go.sum", "go.mod"} {
		write(name, "package changed // "+name+"\n")
		if h := hash(); h == base {
			t.Errorf("writing %s left the hash as it was", name)
		}
		base = hash()
	}
}
