package recording

import (
	"errors"
	"path"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzValidateFileName checks the file name gate and the keys built from
// what passes it. A name with a path separator, a control character,
// invalid UTF-8 or ".." is never accepted; an accepted name makes, with the
// default template, either an *InvalidInputError (no leading timestamp) or
// recordings/YYYY/MM/DD/NAME with the name's own date, a clean relative key
// whose last element, and only that, is the name; with a template without
// date placeholders, it always makes a key.
func FuzzValidateFileName(f *testing.F) {
	for _, name := range []string{
		pbxName, "20220412173331-+4930123456-2002-Outbound.wav", "20220412173331 sales call 2002.wav",
		"20220412173331-Müller-東京.wav", "voicemail.wav", "20240229000000.wav", "20230229000000.wav",
		"00000101000000.wav", "20220412173360.wav", "2022041217333.wav", "20220412173331", ".hidden.wav",
		"", ".", "..", "a..b", "../x.wav", "a/b.wav", "/", `a\b.wav`, "a\x00b.wav", "a\nb.wav", "a\x7fb.wav",
		"a\u0085b.wav", "evil\u202Evaw.exe", "a\u200Bb.wav", "a\uFFFDb.wav", "a\xffb.wav", "a\xc3.wav",
		"20220412173331-./x", "20220412173331-%2F..%2Fx.wav", "20220412173331-\u2215x.wav", "20220412173331-\uff0fx.wav",
		strings.Repeat("2", MaxFileNameLen), strings.Repeat("é", 128),
	} {
		f.Add(name, int64(1727))
	}
	def, err := ParseKeyTemplate("")
	if err != nil {
		f.Fatal(err)
	}
	byID, err := ParseKeyTemplate("calls/{id}/{file}")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, name string, id int64) {
		err := ValidateFileName(name)
		if err != nil {
			checkRefused(t, name, err)
			return
		}
		checkAcceptable(t, name)
		for _, tmpl := range []KeyTemplate{{}, def} { // the zero value is the default
			checkDefaultKey(t, tmpl, name, id)
		}
		key, err := byID.Key(name, id)
		switch {
		case id <= 0 && err == nil:
			t.Fatalf("calls/{id}/{file}: key %q for id %d", key, id)
		case id > 0 && err != nil:
			t.Fatalf("calls/{id}/{file}: accepted name %q, id %d: %v", name, id, err)
		case id > 0 && key != "calls/"+strconv.FormatInt(id, 10)+"/"+name:
			t.Fatalf("calls/{id}/{file}: name %q, id %d: key %q", name, id, key)
		}
	})
}

// checkRefused checks a refusal: an *InvalidInputError whose message is
// short and printable ASCII, whatever the name.
func checkRefused(t *testing.T, name string, err error) {
	t.Helper()
	var inv *InvalidInputError
	if !errors.As(err, &inv) {
		t.Fatalf("ValidateFileName(%q) = %v (%T), want *InvalidInputError", name, err, err)
	}
	msg := err.Error()
	if len(msg) > 512 {
		t.Fatalf("ValidateFileName(%q): %d-byte message", name, len(msg))
	}
	for _, r := range msg {
		if r < 0x20 || r >= 0x7f {
			t.Fatalf("ValidateFileName(%q): message %q carries %U", name, msg, r)
		}
	}
}

// checkAcceptable fails for an accepted name that is not a single,
// printable, bounded path element.
func checkAcceptable(t *testing.T, name string) {
	t.Helper()
	switch {
	case name == "" || len(name) > MaxFileNameLen:
		t.Fatalf("accepted a %d-byte name", len(name))
	case !utf8.ValidString(name):
		t.Fatalf("accepted invalid UTF-8 %q", name)
	case strings.Contains(name, ".."):
		t.Fatalf("accepted %q, with \"..\"", name)
	case strings.ContainsAny(name, `/\`):
		t.Fatalf("accepted %q, with a path separator", name)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		t.Fatalf("accepted %q, with a control character", name)
	}
}

// checkDefaultKey checks the key the default template makes for an
// accepted name.
func checkDefaultKey(t *testing.T, tmpl KeyTemplate, name string, id int64) {
	t.Helper()
	key, err := tmpl.Key(name, id)
	if err != nil {
		var inv *InvalidInputError
		if !errors.As(err, &inv) {
			t.Fatalf("Key(%q) = %v (%T), want *InvalidInputError", name, err, err)
		}
		if _, terr := FileTime(name); terr == nil {
			t.Fatalf("Key(%q), a name with a timestamp: %v", name, err)
		}
		return
	}
	switch {
	case strings.Contains(key, "..") || strings.Contains(key, "//") || strings.HasPrefix(key, "/"):
		t.Fatalf("Key(%q) = %q: not a safe relative key", name, key)
	case path.Clean(key) != key:
		t.Fatalf("Key(%q) = %q: path.Clean makes it %q", name, key, path.Clean(key))
	case len(name) < 14:
		t.Fatalf("Key(%q) = %q without a 14-digit timestamp", name, key)
	}
	want := "recordings/" + name[:4] + "/" + name[4:6] + "/" + name[6:8] + "/" + name
	if key != want {
		t.Fatalf("Key(%q) = %q, want %q", name, key, want)
	}
	elems := strings.Split(key, "/")
	for _, e := range elems[:len(elems)-1] {
		if e == name {
			t.Fatalf("Key(%q) = %q: the name is not only the last element", name, key)
		}
	}
}
