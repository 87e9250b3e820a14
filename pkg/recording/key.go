package recording

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// DefaultKeyTemplate stores recordings by the day they were made.
const DefaultKeyTemplate = "recordings/{yyyy}/{mm}/{dd}/{file}"

// placeholder matches one {name} in a key template.
var placeholder = regexp.MustCompile(`\{[^{}]*\}`)

// KeyTemplate turns a recording into its S3 object key. Placeholders:
// {yyyy} {mm} {dd} from the file name's leading timestamp, {file}, {id},
// {pbx} (the id of the PBX the recording comes from).
type KeyTemplate struct{ raw string }

// ParseKeyTemplate checks a template: known placeholders only, {file}
// present (so that every recording has its own key), no leading "/", and no
// empty, "." or ".." path segments (so no "//" and no trailing "/").
func ParseKeyTemplate(s string) (KeyTemplate, error) {
	if s == "" {
		s = DefaultKeyTemplate
	}
	for _, p := range placeholder.FindAllString(s, -1) {
		switch p {
		case "{yyyy}", "{mm}", "{dd}", "{file}", "{id}", "{pbx}":
		default:
			return KeyTemplate{}, fmt.Errorf("key template %q: unknown placeholder %s (known: {yyyy} {mm} {dd} {file} {id} {pbx})", s, p)
		}
	}
	rest := placeholder.ReplaceAllString(s, "x")
	switch {
	case !strings.Contains(s, "{file}"):
		return KeyTemplate{}, fmt.Errorf("key template %q: must contain {file}", s)
	case strings.ContainsAny(rest, "{}"):
		return KeyTemplate{}, fmt.Errorf("key template %q: unbalanced braces", s)
	case strings.HasPrefix(s, "/"):
		return KeyTemplate{}, fmt.Errorf("key template %q: must not start with /", s)
	}
	for _, seg := range strings.Split(s, "/") {
		// An empty segment ("a//b", or a trailing "/") would make Key
		// refuse every recording, as keys must be clean paths.
		if seg == "." || seg == ".." || seg == "" {
			return KeyTemplate{}, fmt.Errorf("key template %q: empty, . or .. path segment", s)
		}
	}
	return KeyTemplate{raw: s}, nil
}

// String returns the template text.
func (t KeyTemplate) String() string { return t.raw }

// Prefix returns the constant part before the first placeholder, e.g.
// "recordings/": every key the template makes starts with it.
func (t KeyTemplate) Prefix() string {
	if i := strings.IndexByte(t.raw, '{'); i >= 0 {
		return t.raw[:i]
	}
	return t.raw
}

// UsesPBX reports whether the template has {pbx}: without it, two PBXs'
// recordings of the same file name would get the same key.
func (t KeyTemplate) UsesPBX() bool { return strings.Contains(t.raw, "{pbx}") }

// Key returns the object key of the PBX DefaultPBX's recording for a
// validated file name and its id (0 when unknown).
func (t KeyTemplate) Key(file string, id int64) (string, error) {
	return t.KeyFor(DefaultPBX, file, id)
}

// KeyFor returns the object key of PBX pbx's recording for a validated
// file name and its id (0 when unknown).
func (t KeyTemplate) KeyFor(pbx, file string, id int64) (string, error) {
	if t.raw == "" {
		t.raw = DefaultKeyTemplate
	}
	if err := ValidateFileName(file); err != nil {
		return "", err
	}
	if err := ValidatePBX(pbx); err != nil {
		return "", err
	}
	var stamp time.Time
	if strings.Contains(t.raw, "{yyyy}") || strings.Contains(t.raw, "{mm}") || strings.Contains(t.raw, "{dd}") {
		var err error
		if stamp, err = FileTime(file); err != nil {
			return "", err
		}
	}
	if strings.Contains(t.raw, "{id}") && id <= 0 {
		return "", &InvalidInputError{Reason: "key template uses {id} but the recording was named by file; name it by id"}
	}
	key := strings.NewReplacer(
		"{yyyy}", fmt.Sprintf("%04d", stamp.Year()),
		"{mm}", fmt.Sprintf("%02d", int(stamp.Month())),
		"{dd}", fmt.Sprintf("%02d", stamp.Day()),
		"{file}", file,
		"{id}", strconv.FormatInt(id, 10),
		"{pbx}", pbx,
	).Replace(t.raw)
	if path.Clean("/"+key) != "/"+key {
		return "", &InvalidInputError{Reason: fmt.Sprintf("object key %q is not a clean path", key)}
	}
	return key, nil
}

// FileTime parses the leading YYYYMMDDhhmmss timestamp of a PBX recording
// file name (PBX local time, kept as is).
func FileTime(file string) (time.Time, error) {
	if len(file) < 14 {
		return time.Time{}, &InvalidInputError{Reason: fmt.Sprintf("file name %q has no leading YYYYMMDDhhmmss timestamp", file)}
	}
	t, err := time.Parse("20060102150405", file[:14])
	if err != nil {
		return time.Time{}, &InvalidInputError{Reason: fmt.Sprintf("file name %q has no leading YYYYMMDDhhmmss timestamp", file)}
	}
	return t, nil
}

// ContentType returns the MIME type of a recording from its file name.
func ContentType(file string) string {
	switch strings.ToLower(path.Ext(file)) {
	case ".wav":
		return "audio/wav"
	case ".mp3":
		return "audio/mpeg"
	default:
		return "application/octet-stream"
	}
}
