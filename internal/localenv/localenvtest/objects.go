package localenvtest

import (
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// StateFolder is where the functions keep their shared state (the PBX
// token, the reconcile cursor) beside the recordings.
const StateFolder = ".recording-sync/"

// RecordingKeys lists the keys of bucket on client, every page of them,
// but those of the state folder.
func RecordingKeys(t testing.TB, client *s3.Client, bucket string) []string {
	t.Helper()
	var keys []string
	p := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: &bucket})
	for p.HasMorePages() {
		out, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatalf("list objects: %v", err)
		}
		for _, o := range out.Contents {
			if !strings.HasPrefix(*o.Key, StateFolder) {
				keys = append(keys, *o.Key)
			}
		}
	}
	return keys
}

// PutObjects puts a small object at each of keys in bucket on client, 16
// at a time: the recordings a test's bucket already holds.
func PutObjects(t testing.TB, client *s3.Client, bucket string, keys []string) {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed error
	sem := make(chan struct{}, 16)
	for _, key := range keys {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			_, err := client.PutObject(t.Context(), &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader("audio")})
			if err != nil {
				mu.Lock()
				failed = err
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if failed != nil {
		t.Fatalf("put: %v", failed)
	}
}
