package main

import (
	"path"
	"regexp"
	"strings"
)

var (
	// quoted is a quoted string in an error message: a file name or a key.
	quoted = regexp.MustCompile(`"[^"]*"`)
	// number is a number in an error message, with what it follows when it
	// names the failure itself (an errcode, an HTTP status): those stay,
	// the others (counts, offsets, sizes) differ between copies failing
	// the same way and go.
	number = regexp.MustCompile(`(errcode |HTTP |status )?\b\d+(\.\d+)?\b`)
)

// failureClass is how a failed copy is counted: its errorType, the
// extension of its file (.mp3s are served one at a time) and its message
// with what differs between copies taken out: the reference, quoted names,
// counts and offsets. The message is the function's own, redacted already.
func failureClass(errorType, file, msg string) string {
	if _, rest, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(msg, "recording ") {
		msg = rest // "recording <ref>: " names the recording, not the failure
	}
	msg = quoted.ReplaceAllString(msg, `"…"`)
	msg = number.ReplaceAllStringFunc(msg, func(s string) string {
		if strings.Contains(s, " ") {
			return s
		}
		return "N"
	})
	ext := path.Ext(file)
	if ext == "" {
		ext = "no file"
	}
	return errorType + " (" + ext + "): " + msg
}
