package main

import (
	"github.com/recording-sync/recording-sync/internal/localenv/localenvtest"

	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

// TestMissingBucketFreshEnvironment: on a freshly started environment the
// first S3 call is the token cache's Load, not the copy's HeadObject. A
// missing bucket met there is a configuration error like anywhere else: a
// PermanentError at once, before any PBX download, and the same again on
// the now warm environment.
func TestMissingBucketFreshEnvironment(t *testing.T) {
	missing := fmt.Sprintf("e2e-missing-%d", bucketSeq.Add(1))
	st := newStack(t, stackOptions{extraEnv: []string{"RECORDINGS_BUCKET=" + missing}})
	rec := yeastartest.Recording{ID: 41, File: recordingFile(41, "wav"), Size: mib}
	st.sim.AddRecording(rec)
	for _, env := range []string{"fresh", "warm"} {
		inv := st.invoke(t, fmt.Sprintf(`{"id": %d}`, rec.ID))
		if inv.ErrorType != "PermanentError" || !strings.Contains(inv.ErrorMessage, "NoSuchBucket") {
			t.Fatalf("%s environment: response %s, want a PermanentError naming NoSuchBucket", env, inv.raw)
		}
	}
	stats := st.sim.Stats()
	if stats.DownloadsStarted != 0 || stats.APIRequests["recording/download"] != 0 {
		t.Errorf("a copy into a missing bucket reached the PBX: %d recording/download calls, %d downloads",
			stats.APIRequests["recording/download"], stats.DownloadsStarted)
	}
}

// denyUploadsProxy forwards requests to the S3 server but refuses every
// write under prefix as S3 does when IAM or the KMS key policy forbids it:
// 403 AccessDenied, with S3's XML error body. It counts the refusals.
func denyUploadsProxy(t *testing.T, prefix string) (string, *atomic.Int64) {
	t.Helper()
	proxy := localenvtest.S3Proxy(t, s3Server.Endpoint)
	var denied atomic.Int64
	return newLoopbackServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		write := r.Method == http.MethodPut || r.Method == http.MethodPost
		if !write || !strings.Contains(r.URL.Path, "/"+prefix) {
			proxy.ServeHTTP(w, r)
			return
		}
		denied.Add(1)
		io.Copy(io.Discard, r.Body) //nolint:errcheck // the answer is an error anyway
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+ //nolint:errcheck // test server
			`<Error><Code>AccessDenied</Code><Message>User: arn:aws:sts::123456789012:assumed-role/recording-sync/fn `+
			`is not authorized to perform: kms:GenerateDataKey on resource: arn:aws:kms:eu-west-1:123456789012:key/k</Message>`+
			`<RequestId>4442587FB7D0A2F9</RequestId><HostId>proxy</HostId></Error>`)
	})), &denied
}

// TestUploadDeniedDownloadsOnce: an upload S3 refuses (an IAM or KMS
// mistake) is a PermanentError after one download, not a RetryableError
// after a download per attempt.
func TestUploadDeniedDownloadsOnce(t *testing.T) {
	endpoint, denied := denyUploadsProxy(t, "recordings/")
	st := newStack(t, stackOptions{s3Endpoint: endpoint})
	rec := yeastartest.Recording{ID: 42, File: recordingFile(42, "wav"), Size: mib}
	st.sim.AddRecording(rec)
	inv := st.invoke(t, fmt.Sprintf(`{"id": %d}`, rec.ID))
	if inv.ErrorType != "PermanentError" || !strings.Contains(inv.ErrorMessage, "AccessDenied") {
		t.Fatalf("response %s, want a PermanentError naming AccessDenied", inv.raw)
	}
	if n := st.sim.Stats().DownloadsStarted; n != 1 {
		t.Errorf("the recording was downloaded %d times, want once", n)
	}
	if n := denied.Load(); n != 1 {
		t.Errorf("%d uploads refused, want 1: a refused upload is not retried", n)
	}
	st.assertNothingStored(t)
}

// refuseDownloads answers the first n GETs of a download link with status,
// as a PBX does for a stale link or a refused token, and passes on the rest.
func refuseDownloads(status int, n int64) func(http.Handler) http.Handler {
	var refused atomic.Int64
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/api/download/") && refused.Add(1) <= n {
				http.Error(w, http.StatusText(status), status)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// TestDownloadLinkRefused: a download link the PBX refuses is fetched anew
// once; when the fresh one is refused too, the copy ends as a PermanentError
// instead of fetching links and retrying until its attempts run out.
func TestDownloadLinkRefused(t *testing.T) {
	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Run("once", func(t *testing.T) {
				st := newStack(t, stackOptions{pbxHandler: refuseDownloads(status, 1)})
				rec := yeastartest.Recording{ID: 43, File: recordingFile(43, "wav"), Size: mib}
				st.sim.AddRecording(rec)
				st.copyAndVerify(t, rec)
				if n := st.sim.Stats().APIRequests["recording/download"]; n != 2 {
					t.Errorf("%d download links fetched, want 2: the refused one and its renewal", n)
				}
			})
			t.Run("always", func(t *testing.T) {
				st := newStack(t, stackOptions{pbxHandler: refuseDownloads(status, 1000)})
				rec := yeastartest.Recording{ID: 44, File: recordingFile(44, "wav"), Size: mib}
				st.sim.AddRecording(rec)
				inv := st.invoke(t, fmt.Sprintf(`{"id": %d}`, rec.ID))
				if inv.ErrorType != "PermanentError" || !strings.Contains(inv.ErrorMessage, fmt.Sprintf("HTTP status %d", status)) {
					t.Fatalf("response %s, want a PermanentError naming HTTP %d", inv.raw, status)
				}
				if n := st.sim.Stats().APIRequests["recording/download"]; n != 2 {
					t.Errorf("%d download links fetched, want 2: the refused one and its renewal", n)
				}
				st.assertNothingStored(t)
			})
		})
	}
}
