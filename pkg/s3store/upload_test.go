package s3store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestUpload runs each upload test over each transport.
func TestUpload(t *testing.T) {
	tests := []struct {
		name string
		test func(t *testing.T, c *s3.Client, store *Store, newBucket func(*testing.T) string)
	}{
		{"RoundTrip", testUploadRoundTrip},
		{"SizeMismatch", testUploadSizeMismatch},
		{"Interrupted", testUploadInterrupted},
		{"AlreadyExists", testUploadAlreadyExists},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			forEachTransport(t, tt.test)
		})
	}
}

func testUploadRoundTrip(t *testing.T, c *s3.Client, store *Store, newBucket func(*testing.T) string) {
	meta := map[string]string{"recording-id": "1234", "caller": "201"}

	tests := []struct {
		name      string
		size      int64
		wantParts int
		unknown   bool // the body is of unknown size (Size -1)
	}{
		// An empty recording is stored as an empty object by one PutObject.
		{"empty", 0, 0, false},
		{"1KiB", 1 << 10, 0, false},
		// A body of exactly one part fills the first buffer, so the
		// uploader cannot tell it from a longer one and goes multipart.
		{"exactly part size", testPartSize, 1, false},
		{"part size plus 1", testPartSize + 1, 2, false},
		{"20MiB", 20*mib + 12345, 5, false},
		// A body of unknown size is stored whole, as what it delivered up
		// to its io.EOF, in parts as for a known size; they are sized for
		// MaxUnknownSize: 7 MiB, above the 5 MiB minimum.
		{"unknown size empty", 0, 0, true},
		{"unknown size 1KiB", 1 << 10, 0, true},
		{"unknown size 20MiB", 20*mib + 12345, 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bucket := newBucket(t)
			key := "rec/" + tt.name + ".wav"
			obj := Object{Bucket: bucket, Key: key, Size: tt.size, ContentType: "audio/wav", Metadata: meta}
			if tt.unknown {
				obj.Size = -1
			}
			res, err := store.Upload(t.Context(), obj, data(key, tt.size))
			if err != nil {
				t.Fatalf("Upload: %v", err)
			}
			wantParts := tt.wantParts
			if !tt.unknown && tt.size <= store.streamMax {
				wantParts = 0 // streamed as one PutObject (over HTTPS)
			}
			if res.Bucket != bucket || res.Key != key || res.Size != tt.size || res.Parts != wantParts {
				t.Errorf("Result = %+v, want %s/%s, %d bytes, %d parts", res, bucket, key, tt.size, wantParts)
			}
			if res.ETag == "" {
				t.Error("Result.ETag is empty")
			}

			got := getObject(t, c, bucket, key)
			if got.size != tt.size {
				t.Errorf("stored %d bytes, want %d", got.size, tt.size)
			}
			if got.sum != dataSum(t, key, tt.size) {
				t.Error("stored bytes differ from the source (SHA-256)")
			}
			if got.contentType != "audio/wav" {
				t.Errorf("Content-Type = %q, want audio/wav", got.contentType)
			}
			if !maps.Equal(got.metadata, meta) {
				t.Errorf("Metadata = %v, want %v", got.metadata, meta)
			}

			ok, size, err := store.Exists(t.Context(), bucket, key)
			if err != nil || !ok || size != tt.size {
				t.Errorf("Exists = %v, %d, %v; want true, %d, nil", ok, size, err, tt.size)
			}
			assertNoUploads(t, c, bucket)
		})
	}
}

func testUploadSizeMismatch(t *testing.T, c *s3.Client, store *Store, newBucket func(*testing.T) string) {

	tests := []struct {
		name         string
		size, actual int64
	}{
		{"short single part", 1 << 10, 1000},
		{"short by one byte", 1 << 10, 1<<10 - 1},
		{"short multipart", 12 * mib, 11 * mib},
		{"short at part boundary", 2 * testPartSize, testPartSize},
		{"long empty", 0, 1},
		{"long single part", 1 << 10, 2 << 10},
		{"long exactly part size", testPartSize, testPartSize + 1},
		{"long multipart", 12 * mib, 20 * mib},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bucket := newBucket(t)
			const key = "rec.wav"
			_, err := store.Upload(t.Context(), Object{Bucket: bucket, Key: key, Size: tt.size}, data(key, tt.actual))
			var se *SizeError
			if !errors.As(err, &se) {
				t.Fatalf("Upload error = %v, want a *SizeError", err)
			}
			want := SizeError{Want: tt.size, Got: tt.actual}
			if tt.actual > tt.size {
				want = SizeError{Want: tt.size, Got: tt.size + 1, Long: true}
			}
			if *se != want {
				t.Errorf("SizeError = %+v, want %+v", *se, want)
			}
			assertAbsent(t, c, bucket, key)
			assertNoUploads(t, c, bucket)
		})
	}
}

// failingReader delivers n bytes of r, then fails with err.
type failingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, f.err
	}
	if int64(len(p)) > f.n {
		p = p[:f.n]
	}
	n, err := f.r.Read(p)
	f.n -= int64(n)
	return n, err
}

// cancellingReader passes r through and calls cancel once n bytes have
// been read, like a caller whose deadline expires mid-upload.
type cancellingReader struct {
	r      io.Reader
	n      int64
	cancel context.CancelFunc
}

func (c *cancellingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n -= int64(n)
	if c.n <= 0 {
		c.cancel()
	}
	return n, err
}

// testUploadInterrupted: an upload whose source fails part way (a body of
// unknown size too: a chunked download cut before its last chunk ends in
// io.ErrUnexpectedEOF), or whose caller's context is cancelled part way,
// stores nothing and leaves no multipart upload behind.
func testUploadInterrupted(t *testing.T, c *s3.Client, store *Store, newBucket func(*testing.T) string) {
	errDisk := errors.New("disk gone")

	tests := []struct {
		name       string
		size, stop int64
		unknown    bool  // the body is of unknown size (Size -1)
		cause      error // the source fails with it at stop; nil: the context is cancelled there
	}{
		{"source fails in single part", 1 << 10, 100, false, errDisk},
		{"source fails before first part", 20 * mib, 1 * mib, false, errDisk},
		{"source fails multipart", 20 * mib, 12 * mib, false, errDisk},
		{"source fails after last byte", 1 << 10, 1 << 10, false, errDisk},
		{"unknown size cut in first part", 20 * mib, 100, true, io.ErrUnexpectedEOF},
		{"unknown size cut multipart", 20 * mib, 12 * mib, true, io.ErrUnexpectedEOF},
		{"cancelled in single part", 1 * mib, 1 << 10, false, nil},
		{"cancelled multipart", 20 * mib, 12 * mib, false, nil},
		{"cancelled in last part", 20 * mib, 19 * mib, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bucket := newBucket(t)
			const key = "rec.wav"
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			obj := Object{Bucket: bucket, Key: key, Size: tt.size}
			if tt.unknown {
				obj.Size = -1
			}
			var src io.Reader = &failingReader{r: data(key, tt.size), n: tt.stop, err: tt.cause}
			want := tt.cause
			if tt.cause == nil {
				src, want = &cancellingReader{r: data(key, tt.size), n: tt.stop, cancel: cancel}, context.Canceled
			}
			_, err := store.Upload(ctx, obj, src)
			if !errors.Is(err, want) {
				t.Fatalf("Upload error = %v, want %v", err, want)
			}
			// When the caller's context is dead, only an abort with a
			// fresh context can have removed the multipart upload.
			assertAbsent(t, c, bucket, key)
			assertNoUploads(t, c, bucket)
		})
	}
}

func testUploadAlreadyExists(t *testing.T, c *s3.Client, store *Store, newBucket func(*testing.T) string) {

	tests := []struct {
		name          string
		first, second int64
	}{
		{"single part twice", 1 << 10, 1 << 10},
		{"multipart twice", 12 * mib, 12 * mib},
		{"single part then multipart", 1 << 10, 12 * mib},
		{"multipart then single part", 12 * mib, 1 << 10},
		{"empty twice", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bucket := newBucket(t)
			const key = "rec.wav"
			obj := Object{Bucket: bucket, Key: key, Size: tt.first}
			if _, err := store.Upload(t.Context(), obj, data("first", tt.first)); err != nil {
				t.Fatalf("first Upload: %v", err)
			}
			obj.Size = tt.second
			_, err := store.Upload(t.Context(), obj, data("second", tt.second))
			if !errors.Is(err, ErrAlreadyExists) {
				t.Fatalf("second Upload error = %v, want ErrAlreadyExists", err)
			}
			t.Logf("second Upload: %v", err)
			got := getObject(t, c, bucket, key)
			if got.size != tt.first || got.sum != dataSum(t, "first", tt.first) {
				t.Errorf("stored object (%d bytes) is not the first upload (%d bytes)", got.size, tt.first)
			}
			assertNoUploads(t, c, bucket)
		})
	}
}

func TestExists(t *testing.T) {
	t.Parallel()
	c := s3Client(t)
	store := New(c, nil)
	bucket := newBucket(t)
	const size = 3000
	if _, err := store.Upload(t.Context(), Object{Bucket: bucket, Key: "present", Size: size}, data("present", size)); err != nil {
		t.Fatalf("Upload: %v", err)
	}

	tests := []struct {
		key      string
		wantOK   bool
		wantSize int64
	}{
		{"present", true, size},
		{"missing", false, 0},
		{"present/child", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			ok, size, err := store.Exists(t.Context(), bucket, tt.key)
			if err != nil || ok != tt.wantOK || size != tt.wantSize {
				t.Errorf("Exists(%q) = %v, %d, %v; want %v, %d, nil", tt.key, ok, size, err, tt.wantOK, tt.wantSize)
			}
		})
	}
}

func TestUploadNegativeSize(t *testing.T) {
	store := New(nil, nil) // the client must not be reached
	// -1 is an unknown size (see TestUploadUnknownSize); below it, nothing.
	_, err := store.Upload(t.Context(), Object{Bucket: "b", Key: "k", Size: -2}, data("x", 1))
	if err == nil {
		t.Fatal("Upload with Size -2 succeeded")
	}
}

// Objects smaller than a part share the store's buffers from one upload to
// the next, one upload at a time or many at once: each is stored exactly,
// with no byte of the one before, in one PutObject.
func TestSmallObjectsShareBuffers(t *testing.T) {
	t.Parallel()
	c, store := testStore(t)
	bucket := newBucket(t)
	sizes := []int64{testPartSize - 1, 3 * mib, 1, 0, 2*mib + 7, 4096}
	upload := func(i int, size int64) {
		key := fmt.Sprintf("rec-%d.wav", i)
		res, err := store.Upload(t.Context(), Object{Bucket: bucket, Key: key, Size: size}, data(key, size))
		if err != nil {
			t.Errorf("Upload %s: %v", key, err)
			return
		}
		if res.Parts != 0 || res.Size != size {
			t.Errorf("%s: %d parts, %d bytes; want one PutObject of %d", key, res.Parts, res.Size, size)
		}
		if got := getObject(t, c, bucket, key); got.size != size || got.sum != dataSum(t, key, size) {
			t.Errorf("%s: stored %d bytes, not the source's %d", key, got.size, size)
		}
	}
	for i, size := range sizes { // largest first: a reused buffer is longer than the next object
		upload(i, size)
	}
	var wg sync.WaitGroup
	for i, size := range sizes {
		wg.Go(func() { upload(len(sizes)+i, size) })
	}
	wg.Wait()
	assertNoUploads(t, c, bucket)
}

// BenchmarkUploadSmall stores 1 MiB objects, the recordings' median size,
// one after the other: B/op is what each upload allocates (with the
// uploader's own part buffer, a whole part, zeroed, each time).
func BenchmarkUploadSmall(b *testing.B) {
	c := server.Client(b)
	store := New(c, nil)
	bucket := server.NewBucket(b)
	const size = mib
	b.SetBytes(size)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		key := fmt.Sprintf("rec-%d.wav", i)
		if _, err := store.Upload(b.Context(), Object{Bucket: bucket, Key: key, Size: size}, data(key, size)); err != nil {
			b.Fatal(err)
		}
	}
}

// With SDKDefault, small objects go through the SDK's uploader as it
// comes: the store's buffers are never taken. Without it, they are.
func TestSDKDefaultTakesNoStoreBuffer(t *testing.T) {
	t.Parallel()
	c := s3Client(t)
	bucket := newBucket(t)
	for _, sdk := range []bool{true, false} {
		store := New(c, &Options{SDKDefault: sdk})
		var made atomic.Int64
		store.whole.New = func() any { made.Add(1); b := make([]byte, store.partSize); return &b }
		key := fmt.Sprintf("sdk-%v.wav", sdk)
		if _, err := store.Upload(t.Context(), Object{Bucket: bucket, Key: key, Size: mib}, data(key, mib)); err != nil {
			t.Fatal(err)
		}
		if got := getObject(t, c, bucket, key); got.size != mib || got.sum != dataSum(t, key, mib) {
			t.Errorf("SDKDefault %v: stored %d bytes, not the source's", sdk, got.size)
		}
		if taken := made.Load() > 0; taken == sdk {
			t.Errorf("SDKDefault %v: store buffers made %d, want them taken only without SDKDefault", sdk, made.Load())
		}
		if sdk && store.partSize != 5*mib {
			t.Errorf("SDKDefault: part size %d, want the SDK's 5 MiB", store.partSize)
		}
	}
}
