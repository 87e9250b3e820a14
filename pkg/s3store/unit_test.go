package s3store

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestPartSize(t *testing.T) {
	const (
		gib     = 1 << 30
		tib     = 1 << 40
		minPart = 8 * mib
	)
	tests := []struct {
		name      string
		size, min int64
		want      int64
	}{
		{"empty", 0, minPart, minPart},
		{"1 byte", 1, minPart, minPart},
		{"1GiB", 1 * gib, minPart, minPart},
		{"10000 minimum parts", 10000 * minPart, minPart, minPart},
		{"one byte over 10000 minimum parts", 10000*minPart + 1, minPart, 9 * mib},
		{"80GiB", 80 * gib, minPart, 9 * mib},
		{"5TiB", 5 * tib, minPart, 525 * mib},
		{"5TiB small minimum", 5 * tib, 5 * mib, 525 * mib},
		{"large minimum", 1 * gib, 64 * mib, 64 * mib},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PartSize(tt.size, tt.min)
			if got != tt.want {
				t.Errorf("PartSize(%d, %d) = %d, want %d", tt.size, tt.min, got, tt.want)
			}
			if got < tt.min || got%mib != 0 {
				t.Errorf("PartSize(%d, %d) = %d: not a MiB multiple >= the minimum", tt.size, tt.min, got)
			}
			if parts := (tt.size + got - 1) / got; parts > maxParts {
				t.Errorf("PartSize(%d, %d) = %d gives %d parts, more than %d", tt.size, tt.min, got, parts, maxParts)
			}
		})
	}
}

func TestExactReader(t *testing.T) {
	errBoom := errors.New("boom")
	tests := []struct {
		name      string
		src       io.Reader
		remaining int64
		want      string
		wantErr   error // compared with errors.Is, or by value for *SizeError
	}{
		{"exact", strings.NewReader("hello"), 5, "hello", nil},
		{"exact empty", strings.NewReader(""), 0, "", nil},
		{"exact with EOF on last data", iotest.DataErrReader(strings.NewReader("hello")), 5, "hello", nil},
		{"exact one byte at a time", iotest.OneByteReader(strings.NewReader("hello")), 5, "hello", nil},
		{"short", strings.NewReader("hello"), 8, "hello", &SizeError{Want: 8, Got: 5}},
		{"short with EOF on last data", iotest.DataErrReader(strings.NewReader("hello")), 6, "hello", &SizeError{Want: 6, Got: 5}},
		{"short empty", strings.NewReader(""), 3, "", &SizeError{Want: 3, Got: 0}},
		{"long", strings.NewReader("hello world"), 5, "hello", &SizeError{Want: 5, Got: 6, Long: true}},
		{"long empty", strings.NewReader("x"), 0, "", &SizeError{Want: 0, Got: 1, Long: true}},
		{"error midway", io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(errBoom)), 5, "abc", errBoom},
		{"error after the last byte", io.MultiReader(strings.NewReader("hello"), iotest.ErrReader(errBoom)), 5, "hello", errBoom},
		{"timeout midway", iotest.TimeoutReader(iotest.OneByteReader(strings.NewReader("hello"))), 5, "h", iotest.ErrTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := io.ReadAll(&exactReader{r: tt.src, remaining: tt.remaining})
			if string(got) != tt.want {
				t.Errorf("read %q, want %q", got, tt.want)
			}
			var wantSize *SizeError
			if errors.As(tt.wantErr, &wantSize) {
				var se *SizeError
				if !errors.As(err, &se) || *se != *wantSize {
					t.Errorf("error = %v, want %+v", err, *wantSize)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestExactReaderIOTest(t *testing.T) {
	content := []byte("the quick brown fox")
	r := &exactReader{r: strings.NewReader(string(content)), remaining: int64(len(content))}
	if err := iotest.TestReader(r, content); err != nil {
		t.Error(err)
	}
}
