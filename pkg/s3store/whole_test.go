package s3store

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

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
