package tokencache

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/pkg/seal"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

func sampleEntry(n int) Entry {
	issued := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return Entry{
		Token: yeastar.Token{
			Access:         fmt.Sprintf("access-%d", n),
			Refresh:        fmt.Sprintf("refresh-%d", n),
			Issued:         issued,
			AccessExpires:  issued.Add(30 * time.Minute),
			RefreshExpires: issued.Add(24 * time.Hour),
		},
		Lease: Lease{Holder: "h", Until: issued.Add(time.Minute)},
	}
}

// TestS3StoreConditions checks the conditional writes against the real
// server: what passes, and what fails with ErrConflict.
func TestS3StoreConditions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// prepare puts the store in some state and returns the version
		// Save is conditional on.
		prepare      func(t *testing.T, s *S3Store, bucket string) string
		wantConflict bool
	}{
		{"create when absent", func(t *testing.T, s *S3Store, bucket string) string { return "" }, false},
		{"create when present", func(t *testing.T, s *S3Store, bucket string) string {
			mustSave(t, s, sampleEntry(1), "")
			return ""
		}, true},
		{"replace current version", func(t *testing.T, s *S3Store, bucket string) string {
			return mustSave(t, s, sampleEntry(1), "")
		}, false},
		{"replace stale version", func(t *testing.T, s *S3Store, bucket string) string {
			v1 := mustSave(t, s, sampleEntry(1), "")
			mustSave(t, s, sampleEntry(2), v1)
			return v1
		}, true},
		{"replace made-up version", func(t *testing.T, s *S3Store, bucket string) string {
			mustSave(t, s, sampleEntry(1), "")
			return `"0123456789abcdef0123456789abcdef"`
		}, true},
		{"replace deleted object", func(t *testing.T, s *S3Store, bucket string) string {
			v1 := mustSave(t, s, sampleEntry(1), "")
			if _, err := s3Client(t).DeleteObject(t.Context(), &s3.DeleteObjectInput{Bucket: &bucket, Key: aws.String(testKey)}); err != nil {
				t.Fatalf("delete: %v", err)
			}
			return v1
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, bucket := newStore(t)
			prev := tt.prepare(t, s, bucket)
			before, beforeVersion := mustLoad(t, s)
			want := sampleEntry(99)
			v, err := s.Save(t.Context(), want, prev)
			if tt.wantConflict {
				if !errors.Is(err, ErrConflict) {
					t.Fatalf("Save = %q, %v; want ErrConflict", v, err)
				}
				// A failed condition changes nothing.
				after, afterVersion := mustLoad(t, s)
				if afterVersion != beforeVersion || !entriesEqual(after, before) {
					t.Errorf("after a conflict the entry changed: version %q -> %q", beforeVersion, afterVersion)
				}
				return
			}
			if err != nil {
				t.Fatalf("Save: %v", err)
			}
			got, gotVersion := mustLoad(t, s)
			if gotVersion != v {
				t.Errorf("Load version = %q, Save returned %q", gotVersion, v)
			}
			if !entriesEqual(got, want) {
				t.Errorf("Load = %+v, want %+v", got, want)
			}
		})
	}
}

// TestS3StoreRace: of many writers conditional on one version, exactly one
// wins. This is what makes the lease exclusive.
func TestS3StoreRace(t *testing.T) {
	t.Parallel()
	for _, exists := range []bool{false, true} {
		t.Run(fmt.Sprintf("exists=%v", exists), func(t *testing.T) {
			t.Parallel()
			s, _ := newStore(t)
			prev := ""
			if exists {
				prev = mustSave(t, s, sampleEntry(0), "")
			}
			const writers = 16
			var (
				wg   sync.WaitGroup
				mu   sync.Mutex
				wins []int
			)
			for i := range writers {
				wg.Go(func() {
					_, err := s.Save(t.Context(), sampleEntry(i+1), prev)
					switch {
					case err == nil:
						mu.Lock()
						wins = append(wins, i+1)
						mu.Unlock()
					case !errors.Is(err, ErrConflict):
						t.Errorf("writer %d: %v", i, err)
					}
				})
			}
			wg.Wait()
			if len(wins) != 1 {
				t.Fatalf("%d writers won (%v), want exactly 1", len(wins), wins)
			}
			if got, _ := mustLoad(t, s); got.Token.Access != sampleEntry(wins[0]).Token.Access {
				t.Errorf("stored %q, but writer %d won", got.Token.Access, wins[0])
			}
		})
	}
}

// TestS3StoreLoad: an object this store did not seal is no entry, but its
// version is kept, so that the next Save replaces it with If-Match (and a
// create with If-None-Match fails).
func TestS3StoreLoad(t *testing.T) {
	t.Parallel()
	sealedElsewhere := func(t *testing.T, secret, bucket, key string) []byte {
		k, err := seal.NewKey(secret, SealPurpose)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := json.Marshal(sampleEntry(1))
		if err != nil {
			t.Fatal(err)
		}
		return k.Seal(plain, []byte("s3://"+bucket+"/"+key))
	}
	tests := []struct {
		name string
		body func(t *testing.T, bucket string) []byte // stored as is; nil = no object
	}{
		{"absent", func(*testing.T, string) []byte { return nil }},
		{"not JSON", func(*testing.T, string) []byte { return []byte("<html>access-secret-value</html>") }},
		{"plaintext entry of the old format", func(t *testing.T, _ string) []byte {
			b, err := json.Marshal(sampleEntry(1))
			if err != nil {
				t.Fatal(err)
			}
			return b
		}},
		{"too large", func(*testing.T, string) []byte { return bytes.Repeat([]byte(" "), MaxEntrySize+1) }},
		{"sealed under another secret", func(t *testing.T, bucket string) []byte {
			return sealedElsewhere(t, "another-client-secret", bucket, testKey)
		}},
		{"sealed for another key", func(t *testing.T, bucket string) []byte {
			return sealedElsewhere(t, clientSecret, bucket, "other/token.json")
		}},
		{"sealed for another bucket", func(t *testing.T, _ string) []byte {
			return sealedElsewhere(t, clientSecret, "another-bucket", testKey)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, bucket := newStore(t)
			body := tt.body(t, bucket)
			if body != nil {
				_, err := s3Client(t).PutObject(t.Context(), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String(testKey), Body: bytes.NewReader(body)})
				if err != nil {
					t.Fatalf("put: %v", err)
				}
			}
			e, v, err := s.Load(t.Context())
			if err != nil || e != (Entry{}) {
				t.Fatalf("Load = %+v, %q, %v; want no entry", e, v, err)
			}
			if body == nil {
				if v != "" {
					t.Fatalf("Load of no object = version %q, want none", v)
				}
				return
			}
			if v == "" {
				t.Fatal("Load dropped the version of the object it cannot open")
			}
			if _, err := s.Save(t.Context(), sampleEntry(2), ""); !errors.Is(err, ErrConflict) {
				t.Errorf("create over the object = %v, want ErrConflict", err)
			}
			if _, err := s.Save(t.Context(), sampleEntry(2), v); err != nil {
				t.Fatalf("replace with If-Match: %v", err)
			}
			if got, _ := mustLoad(t, s); !entriesEqual(got, sampleEntry(2)) {
				t.Errorf("after the replace, Load = %+v", got)
			}
		})
	}
	t.Run("missing bucket is an error, not absent", func(t *testing.T) {
		t.Parallel()
		s := mustStore(t, "tokencache-no-such-bucket", clientSecret)
		if _, _, err := s.Load(t.Context()); err == nil {
			t.Fatal("Load from a missing bucket succeeded")
		}
	})
}

func mustSave(t *testing.T, s *S3Store, e Entry, prev string) string {
	t.Helper()
	v, err := s.Save(t.Context(), e, prev)
	if err != nil {
		t.Fatalf("Save: %v", err)
	}
	return v
}

func mustLoad(t *testing.T, s *S3Store) (Entry, string) {
	t.Helper()
	e, v, err := s.Load(t.Context())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return e, v
}

// entriesEqual compares entries, times by instant.
func entriesEqual(a, b Entry) bool {
	ta, tb := a.Token, b.Token
	return ta.Access == tb.Access && ta.Refresh == tb.Refresh && ta.Issued.Equal(tb.Issued) &&
		ta.AccessExpires.Equal(tb.AccessExpires) && ta.RefreshExpires.Equal(tb.RefreshExpires) &&
		a.Lease.Holder == b.Lease.Holder && a.Lease.Until.Equal(b.Lease.Until) && a.Lease.Code == b.Lease.Code
}
