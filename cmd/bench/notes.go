package main

import (
	"errors"
	"io/fs"
	"os"
	"strings"
)

// notesMarker starts the end of the page that is written by hand (what a
// change cost, measured before and after it): a rerun keeps it, since the
// code it measured against is gone.
const notesMarker = "<!-- Written by hand from here on; make bench keeps it. -->"

// keptNotes returns the hand-written end of page, from notesMarker on, or
// "" when it has none.
func keptNotes(page string) string {
	i := strings.Index(page, notesMarker)
	if i < 0 {
		return ""
	}
	return page[i:]
}

// withKeptNotes appends to md the hand-written end of the page at path,
// if there is one.
func withKeptNotes(md, path string) (string, error) {
	old, err := os.ReadFile(path) //nolint:gosec // the page the user named
	if errors.Is(err, fs.ErrNotExist) {
		return md, nil
	}
	if err != nil {
		return md, err
	}
	if notes := keptNotes(string(old)); notes != "" {
		return md + "\n" + notes, nil
	}
	return md, nil
}
