package localenvtest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

var server Server

func TestMain(m *testing.M) { S3Main(m, &server) }

func TestBucketName(t *testing.T) {
	tests := []struct {
		seq      int64
		testName string
		want     string
	}{
		{1, "TestUpload", "t1-testupload"},
		{12, "TestUpload/Empty_Body", "t12-testupload-empty-body"},
		{3, "TestX/ends_with_", "t3-testx-ends-with"},
		{4, strings.Repeat("A", 100), "t4-" + strings.Repeat("a", 60)},
		{5, strings.Repeat("a", 59) + "/b", "t5-" + strings.Repeat("a", 59)}, // no trailing "-"
	}
	for _, tt := range tests {
		if got := bucketName(tt.seq, tt.testName); got != tt.want {
			t.Errorf("bucketName(%d, %q) = %q, want %q", tt.seq, tt.testName, got, tt.want)
		}
	}
}

func TestNewBucket(t *testing.T) {
	a, b := server.NewBucket(t), server.NewBucket(t)
	if a == b {
		t.Fatalf("two buckets named %s", a)
	}
	c := server.Client(t)
	for _, bucket := range []string{a, b} {
		if _, err := c.HeadBucket(t.Context(), &s3.HeadBucketInput{Bucket: &bucket}); err != nil {
			t.Errorf("head bucket %s: %v", bucket, err)
		}
	}
}

func TestObject(t *testing.T) {
	bucket := server.NewBucket(t)
	want := []byte("\x01sealed bytes")
	if _, err := server.Client(t).PutObject(t.Context(), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("k"), Body: bytes.NewReader(want)}); err != nil {
		t.Fatal(err)
	}
	if got := server.Object(t, bucket, "k"); !bytes.Equal(got, want) {
		t.Errorf("Object = %q, want %q", got, want)
	}
}
