package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A rerun replaces the generated page and keeps its hand-written end.
func TestWithKeptNotesKeepsTheHandWrittenEnd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "performance.md")
	notes := notesMarker + "\n\n## What a change cost\n\nbefore 1, after 2\n"
	if err := os.WriteFile(path, []byte("# old generated page\n\nold figures\n\n"+notes), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := withKeptNotes("# new generated page\n", path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "# new generated page\n\n" + notes; got != want {
		t.Errorf("page =\n%s\nwant\n%s", got, want)
	}
	if strings.Contains(got, "old figures") {
		t.Error("the old generated figures were kept")
	}
}

func TestWithKeptNotesWithoutNotes(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.md")
	if err := os.WriteFile(plain, []byte("# old page\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{plain, filepath.Join(dir, "missing.md")} {
		got, err := withKeptNotes("# new page\n", path)
		if err != nil || got != "# new page\n" {
			t.Errorf("%s: page %q, %v; want the new page alone", filepath.Base(path), got, err)
		}
	}
}
