package s3store

import (
	"context"
	"fmt"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// gatedReader delivers r, but before it passes byte at it waits until
// ready says so: a source that cannot finish before its upload has begun.
type gatedReader struct {
	r     io.Reader
	at    int64
	ready func() error
	read  int64
}

func (g *gatedReader) Read(p []byte) (int, error) {
	if g.read < g.at && g.read+int64(len(p)) > g.at {
		p = p[:g.at-g.read]
	}
	if g.read == g.at && g.ready != nil {
		if err := g.ready(); err != nil {
			return 0, err
		}
		g.ready = nil
	}
	n, err := g.r.Read(p)
	g.read += int64(n)
	return n, err
}

// TestKnownSizesStreamOverTLS: over HTTPS, an object of known size up to
// StreamMax is one PutObject that is under way before its source has
// delivered half of it: nothing is buffered. A larger one goes multipart.
func TestKnownSizesStreamOverTLS(t *testing.T) {
	t.Parallel()
	const streamMax = 2 * testPartSize
	tests := []struct {
		name     string
		size     int64
		streamed bool
	}{
		{"1 byte", 1, true},
		{"1MiB", mib, true},
		{"above a part", testPartSize + 1, true},
		{"stream max", streamMax, true},
		{"above stream max", streamMax + 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, proxy := tlsClient(t)
			store := New(c, &Options{PartSize: testPartSize, StreamMax: streamMax})
			bucket := newBucket(t)
			key := "rec/" + tt.name + ".wav"
			src := data(key, tt.size)
			if tt.streamed {
				seen := make(chan string, 16)
				proxy.Notify(seen)
				src = &gatedReader{r: src, at: tt.size / 2, ready: func() error { return awaitRequest(t.Context(), seen, "PUT /"+bucket+"/"+key) }}
			}
			res, err := store.Upload(t.Context(), Object{Bucket: bucket, Key: key, Size: tt.size}, src)
			if err != nil {
				t.Fatalf("Upload: %v", err)
			}
			got := getObject(t, c, bucket, key)
			if got.size != tt.size || got.sum != dataSum(t, key, tt.size) || res.Size != tt.size {
				t.Errorf("stored %d bytes (result %d), want the source's %d", got.size, res.Size, tt.size)
			}
			puts := slices.DeleteFunc(proxy.Requests(), func(r string) bool { return r[:4] != "PUT " && r[:5] != "POST " })
			single := []string{"PUT /" + bucket + "/" + key}
			if tt.streamed != slices.Equal(puts, single) || tt.streamed != (res.Parts == 0) {
				t.Errorf("writes = %q, %d parts; want streamed %v (one PutObject)", puts, res.Parts, tt.streamed)
			}
		})
	}
}

// awaitRequest waits until the proxy reports want, for a minute at most.
func awaitRequest(ctx context.Context, seen <-chan string, want string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		select {
		case r := <-seen:
			if r == want {
				return nil
			}
		case <-ctx.Done():
			return fmt.Errorf("no %s while the source was half read: %w", want, ctx.Err())
		}
	}
}

// TestStreamsOnlyOverTLS: only a client that reaches S3 over HTTPS (AWS's
// endpoints, or an https:// one) streams; over plain HTTP the SDK must
// sign the payload's hash before sending it. The SDK's default uploader
// and StreamMax -1 never stream.
func TestStreamsOnlyOverTLS(t *testing.T) {
	tests := []struct {
		name     string
		endpoint *string
		opts     Options
		want     int64
	}{
		{"AWS", nil, Options{}, DefaultStreamMax},
		{"https endpoint", aws.String("HTTPS://s3.example.com"), Options{StreamMax: 10 * mib}, 10 * mib},
		{"http endpoint", aws.String("http://127.0.0.1:9000"), Options{}, 0},
		{"SDK default", nil, Options{SDKDefault: true}, 0},
		{"never", nil, Options{StreamMax: -1}, 0},
	}
	for _, tt := range tests {
		c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: tt.endpoint})
		if got := New(c, &tt.opts).streamMax; got != tt.want {
			t.Errorf("%s: streams up to %d bytes, want %d", tt.name, got, tt.want)
		}
	}
}
