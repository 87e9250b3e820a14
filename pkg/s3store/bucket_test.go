package s3store

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// countingClient counts the HEAD requests a Store sends.
type countingClient struct {
	*s3.Client
	headObjects, headBuckets atomic.Int64
}

func (c *countingClient) HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	c.headObjects.Add(1)
	return c.Client.HeadObject(ctx, in, opts...)
}

func (c *countingClient) HeadBucket(ctx context.Context, in *s3.HeadBucketInput, opts ...func(*s3.Options)) (*s3.HeadBucketOutput, error) {
	c.headBuckets.Add(1)
	return c.Client.HeadBucket(ctx, in, opts...)
}

// heads returns the HeadObject and HeadBucket requests sent so far.
func (c *countingClient) heads() (objects, buckets int64) {
	return c.headObjects.Load(), c.headBuckets.Load()
}

// TestExistsMissingBucket checks that a missing bucket is an error, not
// "not stored": HeadObject answers the same bare 404 for a missing bucket as
// for a missing key, and a copy must not download a recording it can never
// store.
func TestExistsMissingBucket(t *testing.T) {
	t.Parallel()
	c := &countingClient{Client: s3Client(t)}
	store := New(c, nil)
	const bucket, key = "no-such-bucket-recording-sync", "rec/a.wav"
	for i := range 2 {
		ok, size, err := store.Exists(t.Context(), bucket, key)
		if !errors.Is(err, ErrNoSuchBucket) || ok || size != 0 {
			t.Fatalf("Exists #%d = %v, %d, %v; want false, 0, ErrNoSuchBucket", i+1, ok, size, err)
		}
		if !strings.Contains(err.Error(), bucket) {
			t.Errorf("error %q does not name the bucket", err)
		}
	}
	// A missing bucket is never remembered as present.
	if objects, buckets := c.heads(); objects != 2 || buckets != 2 {
		t.Errorf("%d HeadObject and %d HeadBucket requests, want 2 and 2", objects, buckets)
	}
}

// TestExistsMissingKeyCost checks that telling a missing key from a missing
// bucket costs one HeadBucket per bucket in the life of a Store, so that a
// copy costs one HeadObject and one PutObject in the normal case.
func TestExistsMissingKeyCost(t *testing.T) {
	t.Parallel()
	c := &countingClient{Client: s3Client(t)}
	store := New(c, nil)
	bucket := newBucket(t)
	for i, key := range []string{"a.wav", "b.wav", "a.wav"} {
		ok, size, err := store.Exists(t.Context(), bucket, key)
		if err != nil || ok || size != 0 {
			t.Fatalf("Exists(%q) = %v, %d, %v; want false, 0, nil", key, ok, size, err)
		}
		if objects, buckets := c.heads(); objects != int64(i+1) || buckets != 1 {
			t.Errorf("after %d Exists: %d HeadObject and %d HeadBucket requests, want %d and 1", i+1, objects, buckets, i+1)
		}
	}
}

func TestUploadMissingBucket(t *testing.T) {
	t.Parallel()
	store := New(s3Client(t), &Options{PartSize: testPartSize})
	tests := []struct {
		name string
		size int64
	}{
		{"single part", 1 << 10},
		{"multipart", testPartSize + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			const bucket, key = "no-such-bucket-recording-sync", "rec/a.wav"
			_, err := store.Upload(t.Context(), Object{Bucket: bucket, Key: key, Size: tt.size}, data(key, tt.size))
			if !errors.Is(err, ErrNoSuchBucket) {
				t.Errorf("Upload = %v, want ErrNoSuchBucket", err)
			}
		})
	}
}

// TestBucketDeleted checks that a bucket deleted after a Store saw it is
// found missing again: the upload fails with ErrNoSuchBucket, and the next
// Exists asks S3 again.
func TestBucketDeleted(t *testing.T) {
	t.Parallel()
	c := &countingClient{Client: s3Client(t)}
	store := New(c, nil)
	bucket := newBucket(t)
	const key = "rec/a.wav"
	if ok, _, err := store.Exists(t.Context(), bucket, key); err != nil || ok {
		t.Fatalf("Exists = %v, %v; want false, nil", ok, err)
	}
	if _, err := c.DeleteBucket(t.Context(), &s3.DeleteBucketInput{Bucket: &bucket}); err != nil {
		t.Fatalf("delete bucket: %v", err)
	}
	// The Store still believes in the bucket: no request tells it otherwise.
	if ok, _, err := store.Exists(t.Context(), bucket, key); err != nil || ok {
		t.Fatalf("Exists after the delete = %v, %v; want false, nil", ok, err)
	}
	if _, err := store.Upload(t.Context(), Object{Bucket: bucket, Key: key, Size: 10}, data(key, 10)); !errors.Is(err, ErrNoSuchBucket) {
		t.Fatalf("Upload = %v, want ErrNoSuchBucket", err)
	}
	if _, _, err := store.Exists(t.Context(), bucket, key); !errors.Is(err, ErrNoSuchBucket) {
		t.Errorf("Exists after the failed upload = %v, want ErrNoSuchBucket", err)
	}
	if objects, buckets := c.heads(); objects != 3 || buckets != 2 {
		t.Errorf("%d HeadObject and %d HeadBucket requests, want 3 and 2", objects, buckets)
	}
}
