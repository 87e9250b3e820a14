package recording

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode"
)

// pbxName is a recording file name exactly as a Yeastar P-Series PBX writes it.
const pbxName = "20220412173331-1649756009.12-2002-2005-Internal.wav"

func TestValidateFileName(t *testing.T) {
	// U+202E RIGHT-TO-LEFT OVERRIDE reorders what an operator sees in a
	// console or log ("evil\u202Evaw.exe" shows as "evilexe.wav"). It is a
	// format character (Cf), not printable, so it must be refused.
	if unicode.IsPrint('\u202E') {
		t.Fatal("precondition: unicode.IsPrint(U+202E) is true; the bidi case below assumes it is not")
	}
	long := func(n int) string { return strings.Repeat("a", n-len(".wav")) + ".wav" }
	tests := []struct {
		name    string
		file    string
		wantErr string // substring of the error; "" means accepted
	}{
		{"real PBX name", pbxName, ""},
		{"plus sign", "20220412173331-+4930123456-2002-Outbound.wav", ""},
		{"spaces", "20220412173331 sales call 2002.wav", ""},
		{"non-ASCII letters", "20220412173331-Müller-東京.wav", ""},
		{"single dot inside", "a.b.wav", ""},
		{"255 bytes", long(MaxFileNameLen), ""},
		{"256 bytes", long(MaxFileNameLen + 1), "longer than 255 bytes"},
		{"empty", "", "empty"},
		{"dot", ".", `".."`},
		{"dot dot", "..", `".."`},
		{"dot dot inside", "a..b", `".."`},
		{"dot dot prefix", "../x.wav", `".."`},
		{"slash", "a/b.wav", "path separator"},
		{"lone slash", "/", "path separator"},
		{"backslash", `a\b.wav`, "path separator"},
		{"NUL", "a\x00b.wav", "control or non-printable"},
		{"newline", "a\nb.wav", "control or non-printable"},
		{"carriage return", "a\rb.wav", "control or non-printable"},
		{"tab", "a\tb.wav", "control or non-printable"},
		{"DEL", "a\x7fb.wav", "control or non-printable"},
		{"C1 control", "a\u0085b.wav", "control or non-printable"},
		{"bidi override U+202E", "evil\u202Evaw.exe", "control or non-printable"},
		{"zero width space", "a\u200Bb.wav", "control or non-printable"},
		{"replacement character", "a\uFFFDb.wav", "control or non-printable"},
		{"invalid UTF-8", "a\xffb.wav", "not valid UTF-8"},
		{"truncated UTF-8", "a\xc3.wav", "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateFileName(tt.file)
			if !checkInvalidInput(t, fmt.Sprintf("ValidateFileName(%q)", tt.file), err, tt.wantErr) {
				return
			}
			// The message quotes the name; it must not carry the raw
			// control or bidi characters into a log line.
			for _, r := range err.Error() {
				if r >= 0x80 || r < 0x20 || r == 0x7f {
					t.Errorf("error message %q contains the raw character %U", err, r)
					break
				}
			}
		})
	}
}

func TestValidateFileNameLongMessageBounded(t *testing.T) {
	err := ValidateFileName(strings.Repeat("x", 10000))
	if err == nil {
		t.Fatal("a 10000-byte name was accepted")
	}
	if n := len(err.Error()); n > 300 {
		t.Errorf("error message is %d bytes; a long name must be truncated in it", n)
	}
}

func TestRefValidate(t *testing.T) {
	tests := []struct {
		name    string
		ref     Ref
		wantErr string
	}{
		{"id", Ref{ID: 1727}, ""},
		{"file", Ref{File: pbxName}, ""},
		{"both", Ref{ID: 1727, File: pbxName}, ""},
		{"both with call", Ref{ID: 1727, File: pbxName, Call: &Call{ID: "1.2", From: "Müller<2002>"}}, ""},
		{"call only", Ref{Call: &Call{ID: "1.2"}}, "no recording named"},
		{"call field not UTF-8 is no reason to refuse", Ref{File: pbxName, Call: &Call{To: "a\xffb"}}, ""},
		{"call field too long is no reason to refuse", Ref{ID: 1, Call: &Call{UID: strings.Repeat("1", 257)}}, ""},
		{"neither", Ref{}, "no recording named"},
		{"negative id", Ref{ID: -1}, "not a positive integer"},
		{"negative id and file", Ref{ID: -1, File: pbxName}, "not a positive integer"},
		{"id and bad file", Ref{ID: 1, File: "a/b.wav"}, "path separator"},
		{"bad file", Ref{File: "../etc/passwd"}, `".."`},
		{"control in file", Ref{File: "a\nb.wav"}, "control"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkInvalidInput(t, fmt.Sprintf("%+v.Validate()", tt.ref), tt.ref.Validate(), tt.wantErr)
		})
	}
}

func TestRefString(t *testing.T) {
	tests := []struct {
		ref  Ref
		want string
	}{
		{Ref{ID: 1727}, "id 1727"},
		{Ref{File: "a b.wav"}, `file "a b.wav"`},
		{Ref{ID: 1727, File: "a.wav"}, `id 1727 file "a.wav"`},
		{Ref{File: "a\nb.wav"}, `file "a\nb.wav"`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.ref.String(); got != tt.want {
				t.Errorf("%+v.String() = %q, want %q", tt.ref, got, tt.want)
			}
		})
	}
}

// checkInvalidInput checks err, the answer of call: nil when wantErr is "",
// else an *InvalidInputError that mentions wantErr. It reports whether an
// error was wanted.
func checkInvalidInput(t *testing.T, call string, err error, wantErr string) bool {
	t.Helper()
	if wantErr == "" {
		if err != nil {
			t.Fatalf("%s = %v, want nil", call, err)
		}
		return false
	}
	var inv *InvalidInputError
	if !errors.As(err, &inv) {
		t.Fatalf("%s = %v (%T), want *InvalidInputError", call, err, err)
	}
	if !strings.Contains(err.Error(), wantErr) {
		t.Errorf("%s = %q, want it to mention %q", call, err, wantErr)
	}
	return true
}
