package s3store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Defaults for Options.
const (
	DefaultPartSize    = 8 << 20
	DefaultConcurrency = 2
	// maxParts is S3's limit on the parts of one multipart upload.
	maxParts = 10000
	// MaxUnknownSize is the most an object of unknown size (a chunked
	// download) may hold: parts are sized for it, so memory is that of a
	// known size this large. 64 GiB is a day of 48 kHz 16-bit stereo WAV
	// four times over; with the default part size it needs no larger parts.
	MaxUnknownSize = 64 << 30
	// DefaultStreamMax is the largest known size sent as one streamed
	// PutObject (see Store.putStream): 17 minutes of 8 kHz 16-bit mono
	// WAV, most calls. The SDK sends such a body as one aws-chunked chunk,
	// and MinIO refuses a chunk over 16 MiB (S3 takes larger ones). Larger
	// recordings go multipart, where a failed part is sent again without
	// downloading the recording again.
	DefaultStreamMax = 16 << 20
	// abortTimeout bounds the clean-up after a failure.
	abortTimeout = 30 * time.Second
)

// Client is the part of *s3.Client the store uses.
type Client interface {
	manager.UploadAPIClient
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	HeadBucket(ctx context.Context, in *s3.HeadBucketInput, opts ...func(*s3.Options)) (*s3.HeadBucketOutput, error)
}

var _ Client = (*s3.Client)(nil)

// Options hold the optional settings of a Store.
type Options struct {
	PartSize    int64 // minimum part size in bytes; default DefaultPartSize (at least 5 MiB)
	Concurrency int   // parts in flight; default DefaultConcurrency
	// SDKDefault sends every object through the SDK's uploader as it
	// comes (manager.NewUploader's 5 MiB parts, 5 in flight, a part
	// buffer taken for each upload), in place of PartSize, Concurrency and
	// the store's own handling of objects smaller than a part: the
	// baseline the benchmarks compare the store with.
	SDKDefault bool
	// StreamMax is the largest known size sent as one streamed PutObject
	// over HTTPS; default DefaultStreamMax; -1 never streams.
	StreamMax int64
}

// Store writes objects into S3 buckets. It is safe for concurrent use.
type Store struct {
	client     Client
	uploader   *manager.Uploader
	partSize   int64
	buckets    sync.Map // bucket name -> struct{}: seen to exist by HeadBucket
	sdkDefault bool     // Options.SDKDefault
	streamMax  int64    // Options.StreamMax; 0 when the endpoint is plain HTTP
	// whole holds buffers of partSize bytes for objects smaller than a
	// part, kept from one upload to the next (see putWhole).
	whole sync.Pool
}

// New returns a Store using client.
func New(client Client, opts *Options) *Store {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.PartSize < manager.MinUploadPartSize {
		o.PartSize = DefaultPartSize
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.SDKDefault {
		o.PartSize, o.Concurrency = manager.DefaultUploadPartSize, manager.DefaultUploadConcurrency
	}
	up := manager.NewUploader(client, func(u *manager.Uploader) {
		u.PartSize = o.PartSize
		u.Concurrency = o.Concurrency
		// The store aborts failed uploads itself, with a context that is
		// not the (possibly expired) caller's.
		u.LeavePartsOnError = true
	})
	if o.StreamMax == 0 {
		o.StreamMax = DefaultStreamMax
	}
	if o.SDKDefault || !overTLS(client) {
		o.StreamMax = 0
	}
	s := &Store{client: client, uploader: up, partSize: o.PartSize, sdkDefault: o.SDKDefault, streamMax: max(o.StreamMax, 0)}
	s.whole.New = func() any { b := make([]byte, s.partSize); return &b }
	return s
}

// Object describes what to write.
type Object struct {
	Bucket, Key string
	Size        int64 // exact number of bytes the body must deliver; -1 for unknown

	ContentType string
	Metadata    map[string]string
}

// Result describes a stored object.
type Result struct {
	Bucket, Key string
	Size        int64
	ETag        string
	Parts       int // 0 for a single PutObject
}

// Exists reports whether bucket/key is stored, and its size. A missing
// bucket is not "not stored" but an error wrapping ErrNoSuchBucket, so that
// nothing is downloaded that could never be stored. HeadObject answers both
// with a bodiless 404, so the first 404 in a bucket is followed by one
// HeadBucket; a bucket found is remembered for the Store's life, and
// forgotten when an upload finds it gone.
func (s *Store) Exists(ctx context.Context, bucket, key string) (bool, int64, error) {
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
	switch {
	case err == nil:
		return true, aws.ToInt64(out.ContentLength), nil
	case KindOf(err) == NoSuchBucket:
		return false, 0, fmt.Errorf("s3 head %s/%s: %w", bucket, key, ErrNoSuchBucket)
	case !isStatus(err, http.StatusNotFound):
		return false, 0, fmt.Errorf("s3 head %s/%s: %w", bucket, key, err)
	}
	if err := s.checkBucket(ctx, bucket); err != nil {
		return false, 0, fmt.Errorf("s3 head %s/%s: %w", bucket, key, err)
	}
	return false, 0, nil
}

// checkBucket returns ErrNoSuchBucket unless bucket exists. It asks S3 only
// until the bucket has been seen.
func (s *Store) checkBucket(ctx context.Context, bucket string) error {
	if _, ok := s.buckets.Load(bucket); ok {
		return nil
	}
	_, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &bucket})
	switch {
	case err == nil:
		s.buckets.Store(bucket, struct{}{})
		return nil
	case KindOf(err) == NoSuchBucket || isStatus(err, http.StatusNotFound):
		return ErrNoSuchBucket
	}
	return fmt.Errorf("head bucket: %w", err)
}

// Upload streams body into obj.Bucket/obj.Key. The body must deliver exactly
// obj.Size bytes; otherwise nothing is stored. With obj.Size -1 (unknown)
// the object is what the body delivers until its io.EOF, at most
// MaxUnknownSize bytes: the body must report a cut as an error, never as
// io.EOF, and Result.Size is the count delivered. If the key already exists
// the result is ErrAlreadyExists and the existing object is untouched; if
// the bucket does not exist, it wraps ErrNoSuchBucket. An empty object
// (Size 0) is stored by one PutObject.
func (s *Store) Upload(ctx context.Context, obj Object, body io.Reader) (Result, error) {
	if obj.Size < -1 {
		return Result{}, fmt.Errorf("s3 upload %s/%s: negative size %d", obj.Bucket, obj.Key, obj.Size)
	}
	src, sizeFor := &exactReader{r: body, remaining: obj.Size}, obj.Size
	if obj.Size < 0 {
		// At most MaxUnknownSize: a longer body fails as a SizeError,
		// before the part that would pass S3's 10,000.
		src, sizeFor = &exactReader{r: body, remaining: MaxUnknownSize, atMost: true}, MaxUnknownSize
	}
	in := &s3.PutObjectInput{
		Bucket:      &obj.Bucket,
		Key:         &obj.Key,
		Body:        src,
		ContentType: nilIfEmpty(obj.ContentType),
		Metadata:    obj.Metadata,
		IfNoneMatch: aws.String("*"),
	}
	var out *manager.UploadOutput
	var err error
	switch {
	case obj.Size > 0 && obj.Size <= s.streamMax:
		out, err = s.putStream(ctx, in, src, obj.Size)
	case obj.Size >= 0 && obj.Size < s.partSize && !s.sdkDefault:
		out, err = s.putWhole(ctx, in, src)
	default:
		partSize := PartSize(sizeFor, s.partSize)
		out, err = s.uploader.Upload(ctx, in, func(u *manager.Uploader) { u.PartSize = partSize })
	}
	if err != nil {
		err = s.abort(ctx, obj, err)
		switch {
		case isPreconditionFailed(err) || errors.Is(err, ErrAlreadyExists):
			return Result{}, fmt.Errorf("s3 upload %s/%s: %w", obj.Bucket, obj.Key, ErrAlreadyExists)
		case KindOf(err) == NoSuchBucket:
			s.buckets.Delete(obj.Bucket)
			return Result{}, fmt.Errorf("s3 upload %s/%s: %w", obj.Bucket, obj.Key, ErrNoSuchBucket)
		}
		return Result{}, fmt.Errorf("s3 upload %s/%s: %w", obj.Bucket, obj.Key, err)
	}
	return Result{
		Bucket: obj.Bucket,
		Key:    obj.Key,
		Size:   src.read,
		ETag:   aws.ToString(out.ETag),
		Parts:  len(out.CompletedParts),
	}, nil
}

// putStream stores an object of known size as one PutObject whose body is
// the source itself: nothing is buffered, the upload runs as the download
// does, and S3 needs one request. Over TLS the SDK sends the body unsigned
// with a trailing CRC32 checksum, which S3 checks before it stores
// anything; an object appears only whole, as with a multipart upload. A
// source that fails or delivers another size cuts the request, so S3
// stores nothing. The SDK cannot send an unrewindable body twice, so it
// does not retry: the copy does, downloading again.
//
// S3 may refuse a write before it has read the body (412 for a key that
// exists) and close the connection under the rest of it: the client then
// sees the connection reset, not the answer. A request cut so, while the
// source was sound, is followed by one HeadObject: a key that exists now
// is ErrAlreadyExists, whoever wrote it, as a write never shows half.
func (s *Store) putStream(ctx context.Context, in *s3.PutObjectInput, src *exactReader, size int64) (*manager.UploadOutput, error) {
	in.ContentLength = &size
	// Asked for, not left to the configuration: a trailing checksum is
	// what lets an unsigned, unrewindable body be sent at all, and its
	// final chunk is sent only after the source's clean end.
	in.ChecksumAlgorithm = types.ChecksumAlgorithmCrc32
	// A caller that gives up is obeyed at the next read: a request cut
	// before its last byte stores nothing. (A cancellation after the last
	// read may still see the object stored, whole and checked; the next
	// attempt finds it stored.)
	in.Body = ctxReader{ctx, src}
	out, err := s.client.PutObject(ctx, in, func(o *s3.Options) { o.RetryMaxAttempts = 1 })
	if err != nil && !src.failed && statusCode(err) == 0 && ctx.Err() == nil {
		if ok, _, herr := s.Exists(ctx, *in.Bucket, *in.Key); herr == nil && ok {
			return nil, fmt.Errorf("%w (its answer lost: %w)", ErrAlreadyExists, err)
		}
	}
	if err != nil {
		return nil, err
	}
	return &manager.UploadOutput{ETag: out.ETag}, nil
}

// ctxReader reads r until ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// overTLS reports whether client sends its requests over HTTPS: AWS's own
// endpoints, or an https:// one configured. Only then can a body be
// streamed: over plain HTTP the SDK must hash (sign) a payload before it
// sends it, which needs the whole body at hand.
func overTLS(client Client) bool {
	c, ok := client.(interface{ Options() s3.Options })
	if !ok {
		return false
	}
	ep := c.Options().BaseEndpoint
	return ep == nil || strings.HasPrefix(strings.ToLower(*ep), "https://")
}

// putWhole stores an object smaller than a part, which the uploader would
// send as one PutObject anyway, from a buffer kept between uploads: the
// uploader takes fresh, zeroed memory for every upload's first part, and
// for the many recordings of a megabyte or two that was about a quarter of
// the copy's CPU time (profiled under Lambda's CPU share for 128 MB). The buffer is
// the part the uploader would have held, so memory stays as it was. in.Body
// is src; it must deliver exactly the buffer's length.
func (s *Store) putWhole(ctx context.Context, in *s3.PutObjectInput, src *exactReader) (*manager.UploadOutput, error) {
	bp := s.whole.Get().(*[]byte)
	defer s.whole.Put(bp)
	buf := (*bp)[:src.remaining]
	if _, err := io.ReadFull(src, buf); err != nil {
		return nil, err
	}
	var probe [1]byte
	if _, err := src.Read(probe[:]); !errors.Is(err, io.EOF) {
		return nil, err // a longer source's SizeError, or its failure
	}
	body := *in
	body.Body = bytes.NewReader(buf)
	return s.uploader.Upload(ctx, &body)
}

// abort cleans up the multipart upload behind err, if there is one, with a
// fresh context: the caller's may be the reason the upload failed.
func (s *Store) abort(ctx context.Context, obj Object, err error) error {
	var mpErr manager.MultiUploadFailure
	if !errors.As(err, &mpErr) || mpErr.UploadID() == "" {
		return err
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
	defer cancel()
	id := mpErr.UploadID()
	_, abortErr := s.client.AbortMultipartUpload(actx, &s3.AbortMultipartUploadInput{
		Bucket: &obj.Bucket, Key: &obj.Key, UploadId: &id,
	})
	if abortErr != nil && !isStatus(abortErr, http.StatusNotFound) {
		return errors.Join(err, fmt.Errorf("abort multipart upload: %w", abortErr))
	}
	return err
}

// PartSize returns the part size for an object of size bytes: at least minSize,
// and large enough that the upload needs at most 10,000 parts, rounded up to
// a whole MiB.
func PartSize(size, minSize int64) int64 {
	const mib = 1 << 20
	need := (size + maxParts - 1) / maxParts
	need = (need + mib - 1) / mib * mib
	return max(minSize, need)
}

func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
