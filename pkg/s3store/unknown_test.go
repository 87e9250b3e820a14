package s3store

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// TestUnknownSizeParts: the part size for an unknown size never needs more
// than S3's 10,000 parts for MaxUnknownSize, and is the default part size,
// so memory is as for a known size.
func TestUnknownSizeParts(t *testing.T) {
	ps := PartSize(MaxUnknownSize, DefaultPartSize)
	if ps*maxParts < MaxUnknownSize || ps != DefaultPartSize {
		t.Errorf("part size %d for %d bytes: %d parts", ps, int64(MaxUnknownSize), (int64(MaxUnknownSize)+ps-1)/ps)
	}
}

// TestAtMostReader: with atMost, the limit may be undershot but not passed.
func TestAtMostReader(t *testing.T) {
	short := &exactReader{r: strings.NewReader("abc"), remaining: 5, atMost: true}
	if b, err := io.ReadAll(short); err != nil || string(b) != "abc" {
		t.Errorf("under the limit: %q, %v; want abc, nil", b, err)
	}
	long := &exactReader{r: strings.NewReader("abcdef"), remaining: 5, atMost: true}
	var sizeErr *SizeError
	if _, err := io.ReadAll(long); !errors.As(err, &sizeErr) || !sizeErr.Long {
		t.Errorf("past the limit: %v, want a SizeError (long)", err)
	}
}
