package localenvtest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/localenv"
)

// StartLambda runs bootstrap under its own emulator until the test ends;
// if the test failed, it logs what the emulator and the function printed
// to opts.Output.
func StartLambda(t testing.TB, bootstrap string, opts localenv.LambdaOptions) *localenv.Lambda {
	t.Helper()
	l, err := localenv.StartLambda(t.Context(), bootstrap, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("stop emulator: %v", err)
		}
		if out, ok := opts.Output.(*localenv.Output); ok && t.Failed() {
			t.Logf("emulator output:\n%s", out.String())
		}
	})
	return l
}

// bucketSeq keeps the names of E2EBucket unique within a test binary.
var bucketSeq atomic.Int64

// E2EBucket creates a bucket no other test uses on s3, named prefix and a
// number, and returns its name.
func E2EBucket(t testing.TB, s3 *localenv.S3Server, prefix string) string {
	t.Helper()
	// The time keeps the names apart across runs against one server.
	name := fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano()%1e6, bucketSeq.Add(1))
	if err := s3.CreateBucket(t.Context(), name); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	return name
}

// CopyEnv is the environment of the copy function storing into bucket on
// s3 the recordings of the PBX at pbxURL, which serves plain HTTP on
// loopback.
func CopyEnv(s3 *localenv.S3Server, pbxURL, clientID, clientSecret, bucket string) []string {
	return append(s3.Env(),
		"PBX_BASE_URL="+pbxURL,
		"PBX_ALLOW_HTTP=true",
		"PBX_CLIENT_ID="+clientID,
		"PBX_CLIENT_SECRET="+clientSecret,
		"RECORDINGS_BUCKET="+bucket,
	)
}

// Invoke invokes l with payload, allowing it ten minutes, and decodes the
// answer into v; it returns the answer as it came.
func Invoke(t testing.TB, l *localenv.Lambda, payload string, v any) []byte {
	t.Helper()
	return InvokeWithin(t, l, payload, 10*time.Minute, v)
}

// InvokeWithin is Invoke allowing the invocation timeout instead, for a
// function whose own timeout is longer than ten minutes.
func InvokeWithin(t testing.TB, l *localenv.Lambda, payload string, timeout time.Duration, v any) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	raw, err := l.Invoke(ctx, []byte(payload))
	if err != nil {
		t.Fatalf("invoke %s: %v", payload, err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("invoke %s: response %q: %v", payload, raw, err)
	}
	return raw
}
