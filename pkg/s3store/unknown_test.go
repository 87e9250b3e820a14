package s3store

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// TestUploadUnknownSize: a body of unknown size (Size -1) is stored whole,
// as what it delivered up to its io.EOF, in parts as for a known size.
func TestUploadUnknownSize(t *testing.T) {
	t.Parallel()
	c := s3Client(t)
	store := New(c, &Options{PartSize: testPartSize})
	tests := []struct {
		name      string
		size      int64
		wantParts int
	}{
		{"empty", 0, 0},
		{"1KiB", 1 << 10, 0},
		// Parts are sized for MaxUnknownSize: 7 MiB, above the 5 MiB minimum.
		{"20MiB", 20*mib + 12345, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bucket := newBucket(t)
			key := "rec/" + tt.name + ".wav"
			res, err := store.Upload(t.Context(), Object{Bucket: bucket, Key: key, Size: -1, ContentType: "audio/wav"}, data(key, tt.size))
			if err != nil {
				t.Fatalf("Upload: %v", err)
			}
			if res.Size != tt.size || res.Parts != tt.wantParts {
				t.Errorf("Result = %+v, want %d bytes in %d parts", res, tt.size, tt.wantParts)
			}
			got := getObject(t, c, bucket, key)
			if got.size != tt.size || got.sum != dataSum(t, key, tt.size) {
				t.Errorf("stored %d bytes, want the source's %d (SHA-256 equal: %v)", got.size, tt.size, got.sum == dataSum(t, key, tt.size))
			}
			assertNoUploads(t, c, bucket)
		})
	}
}

// TestUploadUnknownSizeCut: a body of unknown size that ends in an error
// (a chunked download cut before its last chunk: io.ErrUnexpectedEOF)
// stores nothing.
func TestUploadUnknownSizeCut(t *testing.T) {
	t.Parallel()
	c := s3Client(t)
	store := New(c, &Options{PartSize: testPartSize})
	for _, cut := range []int64{100, 12 * mib} {
		bucket := newBucket(t)
		const key = "rec.wav"
		src := &failingReader{r: data(key, 20*mib), n: cut, err: io.ErrUnexpectedEOF}
		_, err := store.Upload(t.Context(), Object{Bucket: bucket, Key: key, Size: -1}, src)
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("cut at %d: Upload error = %v, want io.ErrUnexpectedEOF", cut, err)
		}
		assertAbsent(t, c, bucket, key)
		assertNoUploads(t, c, bucket)
	}
}

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
