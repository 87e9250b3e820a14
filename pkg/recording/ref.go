package recording

import (
	"fmt"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxFileNameLen bounds a recording file name; the PBX's names are under 100 bytes.
const MaxFileNameLen = 255

// Ref names one recording by its PBX ID, its file name, or both (the same
// recording: a message from a listing of the PBX carries both, so that the
// copy can find it stored without asking the PBX). Call, when set, holds
// the call's details, stored with the recording. PBX names the PBX the
// recording is on; empty means DefaultPBX, so that a reference to the
// single PBX encodes as it always has.
type Ref struct {
	PBX  string `json:"pbx,omitempty"`
	ID   int64  `json:"id,omitempty"`
	File string `json:"file,omitempty"`
	Call *Call  `json:"call,omitempty"`
	// CallEnded, when known, is when the call ended: the webhook sets it
	// to when the PBX's call-end event reached it (the PBX posts 30012 as
	// the call ends). The copy function reports the time from it to the
	// recording stored (metric CallEndToStored).
	CallEnded *time.Time `json:"callEnded,omitempty"`
}

// String returns "id 1727", "file NAME" or "id 1727 file NAME" for messages,
// after "pbx ID " when the recording is on a PBX other than DefaultPBX.
func (r Ref) String() string {
	if r.PBX != "" && r.PBX != DefaultPBX {
		return "pbx " + r.PBX + " " + Ref{ID: r.ID, File: r.File}.String()
	}
	switch {
	case r.ID > 0 && r.File != "":
		return "id " + strconv.FormatInt(r.ID, 10) + " file " + strconv.Quote(r.File)
	case r.File != "":
		return "file " + strconv.Quote(r.File)
	default:
		return "id " + strconv.FormatInt(r.ID, 10)
	}
}

// Validate checks that at least one of ID and File is set, that each set
// one is valid, and that a PBX, when named, is a valid id.
func (r Ref) Validate() error {
	if r.PBX != "" {
		if err := ValidatePBX(r.PBX); err != nil {
			return err
		}
	}
	switch {
	case r.ID < 0:
		return &InvalidInputError{Reason: fmt.Sprintf("id %d is not a positive integer", r.ID)}
	case r.ID == 0 && r.File == "":
		return &InvalidInputError{Reason: "no recording named: want {\"id\": N}, {\"file\": \"NAME\"} or both"}
	}
	if r.File != "" {
		if err := ValidateFileName(r.File); err != nil {
			return err
		}
	}
	// The call's details never decide whether a recording is copied:
	// Metadata stores what fits and leaves the rest out.
	return nil
}

// ValidateFileName accepts a recording file name as the PBX produces them:
// a single path element of printable characters, no "..", bounded length.
// Only validated names reach an S3 key or a PBX query.
func ValidateFileName(name string) error {
	bad := func(why string) error {
		return &InvalidInputError{Reason: fmt.Sprintf("file name %s %s", strconv.QuoteToASCII(truncate(name, 80)), why)}
	}
	switch {
	case name == "":
		return &InvalidInputError{Reason: "file name is empty"}
	case len(name) > MaxFileNameLen:
		return bad(fmt.Sprintf("is longer than %d bytes", MaxFileNameLen))
	case !utf8.ValidString(name):
		return bad("is not valid UTF-8")
	case name == "." || name == ".." || containsDotDot(name):
		return bad("contains \"..\"")
	}
	for _, r := range name {
		switch {
		case r == '/' || r == '\\':
			return bad("contains a path separator")
		case unicode.IsControl(r) || r == utf8.RuneError || !unicode.IsPrint(r) && r != ' ':
			return bad("contains a control or non-printable character")
		}
	}
	return nil
}

func containsDotDot(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '.' && s[i+1] == '.' {
			return true
		}
	}
	return false
}

// truncate shortens s to at most n bytes for messages.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
