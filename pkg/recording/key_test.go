package recording

import (
	"errors"
	"path"
	"strings"
	"testing"
	"time"
)

func TestParseKeyTemplate(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string // String() of the template when accepted
		wantErr string // substring of the error; "" means accepted
	}{
		{"empty is the default", "", DefaultKeyTemplate, ""},
		{"default", "recordings/{yyyy}/{mm}/{dd}/{file}", "recordings/{yyyy}/{mm}/{dd}/{file}", ""},
		{"file only", "{file}", "{file}", ""},
		{"id and file", "pbx1/{id}-{file}", "pbx1/{id}-{file}", ""},
		{"dots inside a segment", "a.b/..x/{file}", "a.b/..x/{file}", ""},
		{"unknown placeholder", "recordings/{year}/{file}", "", "unknown placeholder {year}"},
		{"upper-case placeholder", "recordings/{FILE}", "", "unknown placeholder {FILE}"},
		{"empty placeholder", "recordings/{}/{file}", "", "unknown placeholder {}"},
		{"missing file", "recordings/{yyyy}/{id}", "", "must contain {file}"},
		{"leading slash", "/recordings/{file}", "", "must not start with /"},
		{"dot dot segment", "recordings/../{file}", "", ". or .. path segment"},
		{"dot dot last", "{file}/..", "", ". or .. path segment"},
		{"dot segment", "./{file}", "", ". or .. path segment"},
		{"double slash", "a//{file}", "", "empty, . or .. path segment"},
		{"trailing slash", "recordings/{file}/", "", "path segment"},
		{"double and trailing slash", "a//{file}/", "", "path segment"},
		{"unbalanced open", "recordings/{yyyy/{file}", "", "unbalanced braces"},
		{"unbalanced close", "recordings/yyyy}/{file}", "", "unbalanced braces"},
		{"nested braces", "recordings/{{file}}", "", "unbalanced braces"},
		{"open brace only", "recordings/{file", "", "{file}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseKeyTemplate(tt.in)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("ParseKeyTemplate(%q) = %q, want an error mentioning %q", tt.in, got, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("ParseKeyTemplate(%q) error = %q, want it to mention %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseKeyTemplate(%q) = %v", tt.in, err)
			}
			if got.String() != tt.want {
				t.Errorf("ParseKeyTemplate(%q).String() = %q, want %q", tt.in, got, tt.want)
			}
			// A template that passes the configuration check must make
			// a key for every valid recording; otherwise the function
			// starts fine and then refuses every invocation.
			if _, err := got.Key(pbxName, 1727); err != nil {
				t.Errorf("accepted template %q cannot make a key: %v", tt.in, err)
			}
		})
	}
}

func TestKeyTemplateKey(t *testing.T) {
	tests := []struct {
		name, template, file string
		id                   int64
		want                 string
		wantErr              string // substring of the error; "" means success
	}{
		{"default by name date", "", pbxName, 0, "recordings/2022/04/12/" + pbxName, ""},
		{"default with id", "", pbxName, 1727, "recordings/2022/04/12/" + pbxName, ""},
		{"date at year end", "", "20231231235959-x.wav", 0, "recordings/2023/12/31/20231231235959-x.wav", ""},
		{"leap day", "{yyyy}-{mm}-{dd}/{file}", "20240229000000.wav", 0, "2024-02-29/20240229000000.wav", ""},
		{"id placeholder with id", "pbx/{id}/{file}", pbxName, 1727, "pbx/1727/" + pbxName, ""},
		{"id placeholder without id", "pbx/{id}/{file}", pbxName, 0, "", "name it by id"},
		{"no timestamp, no date placeholders", "calls/{file}", "voicemail.wav", 0, "calls/voicemail.wav", ""},
		{"no timestamp, with date placeholders", "", "voicemail.wav", 0, "", "no leading YYYYMMDDhhmmss timestamp"},
		{"no timestamp, month only", "{mm}/{file}", "voicemail-long-name.wav", 0, "", "no leading YYYYMMDDhhmmss timestamp"},
		{"non-ASCII and plus kept", "{file}", "20220412173331-+49 Müller.wav", 0, "20220412173331-+49 Müller.wav", ""},
		{"invalid file", "", "../" + pbxName, 0, "", `".."`},
		{"file with slash", "{file}", "a/b.wav", 0, "", "path separator"},
		{"empty file", "{file}", "", 0, "", "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := ParseKeyTemplate(tt.template)
			if err != nil {
				t.Fatalf("ParseKeyTemplate(%q) = %v", tt.template, err)
			}
			got, err := tmpl.Key(tt.file, tt.id)
			if tt.wantErr != "" {
				var inv *InvalidInputError
				if !errors.As(err, &inv) {
					t.Fatalf("Key(%q, %d) = %q, %v; want an *InvalidInputError", tt.file, tt.id, got, err)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("Key(%q, %d) error = %q, want it to mention %q", tt.file, tt.id, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Key(%q, %d) = %v", tt.file, tt.id, err)
			}
			if got != tt.want {
				t.Errorf("Key(%q, %d) = %q, want %q", tt.file, tt.id, got, tt.want)
			}
			if !strings.HasPrefix(got, tmpl.Prefix()) {
				t.Errorf("Key %q does not start with the template's Prefix %q", got, tmpl.Prefix())
			}
			if path.Base(got) != tt.file {
				t.Errorf("Key %q does not end with the file name %q", got, tt.file)
			}
		})
	}
}

func TestKeyTemplateZeroValue(t *testing.T) {
	var zero KeyTemplate
	def, err := ParseKeyTemplate("")
	if err != nil {
		t.Fatal(err)
	}
	got, err := zero.Key(pbxName, 0)
	if err != nil {
		t.Fatalf("zero KeyTemplate.Key = %v", err)
	}
	want, err := def.Key(pbxName, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("zero KeyTemplate.Key = %q, want the default template's %q", got, want)
	}
}

func TestKeyTemplatePrefix(t *testing.T) {
	tests := []struct {
		template, want string
	}{
		{"", "recordings/"},
		{"recordings/{yyyy}/{mm}/{dd}/{file}", "recordings/"},
		{"{file}", ""},
		{"pbx-a/calls/{id}-{file}", "pbx-a/calls/"},
		{"pbx-a/x{yyyy}/{file}", "pbx-a/x"},
	}
	for _, tt := range tests {
		t.Run(tt.template, func(t *testing.T) {
			tmpl, err := ParseKeyTemplate(tt.template)
			if err != nil {
				t.Fatalf("ParseKeyTemplate(%q) = %v", tt.template, err)
			}
			if got := tmpl.Prefix(); got != tt.want {
				t.Errorf("Prefix() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFileTime(t *testing.T) {
	tests := []struct {
		name string
		file string
		want time.Time // zero: an error is expected
	}{
		{"PBX name", pbxName, time.Date(2022, 4, 12, 17, 33, 31, 0, time.UTC)},
		{"exactly 14 digits", "20001231235959", time.Date(2000, 12, 31, 23, 59, 59, 0, time.UTC)},
		{"leap day", "20240229120000-x.wav", time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC)},
		{"month 13", "20221340000000-x.wav", time.Time{}},
		{"month 00", "20220012000000-x.wav", time.Time{}},
		{"day 32", "20220132000000-x.wav", time.Time{}},
		{"day 00", "20220100000000-x.wav", time.Time{}},
		{"February 30", "20220230000000-x.wav", time.Time{}},
		{"February 29 in a common year", "20230229000000-x.wav", time.Time{}},
		{"hour 24", "20220412240000-x.wav", time.Time{}},
		{"minute 60", "20220412176000-x.wav", time.Time{}},
		{"second 60", "20220412173360-x.wav", time.Time{}},
		{"13 characters", "2022041217333", time.Time{}},
		{"letters", "voicemail-2022.wav", time.Time{}},
		{"separators", "2022-04-12-1733-x.wav", time.Time{}},
		{"sign in the year", "+0220412173331-x.wav", time.Time{}},
		{"empty", "", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FileTime(tt.file)
			if tt.want.IsZero() {
				var inv *InvalidInputError
				if !errors.As(err, &inv) {
					t.Fatalf("FileTime(%q) = %v, %v; want an *InvalidInputError", tt.file, got, err)
				}
				if !strings.Contains(err.Error(), "YYYYMMDDhhmmss") {
					t.Errorf("FileTime(%q) error = %q, want it to name the expected format", tt.file, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("FileTime(%q) = %v", tt.file, err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("FileTime(%q) = %v, want %v", tt.file, got, tt.want)
			}
		})
	}
}

func TestContentType(t *testing.T) {
	tests := []struct {
		file, want string
	}{
		{pbxName, "audio/wav"},
		{"X.WAV", "audio/wav"},
		{"x.Wav", "audio/wav"},
		{"x.mp3", "audio/mpeg"},
		{"X.MP3", "audio/mpeg"},
		{"x.ogg", "application/octet-stream"},
		{"x.wav.gz", "application/octet-stream"},
		{"wav", "application/octet-stream"},
		{"x.", "application/octet-stream"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			if got := ContentType(tt.file); got != tt.want {
				t.Errorf("ContentType(%q) = %q, want %q", tt.file, got, tt.want)
			}
		})
	}
}
