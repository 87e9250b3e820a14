package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/internal/localenv"
	"github.com/recording-sync/recording-sync/internal/localenv/localenvtest"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

const mib = 1 << 20

// recordingFile makes a PBX-style file name for a recording made on 2022-04-12.
func recordingFile(n int, ext string) string {
	return fmt.Sprintf("20220412173331-16497560%02d.12-2002-2005-Internal.%s", n, ext)
}

// testCopiesRecordingsByteForByte: over HTTPS, as on AWS, a recording of up
// to 16 MiB is streamed from the download as one PutObject; over HTTP one
// of a part or more, and over HTTPS a larger one, goes multipart.
func testCopiesRecordingsByteForByte(t *testing.T, tls bool) {
	st := newStack(t, stackOptions{tls: tls})
	cases := []struct {
		name    string
		id      int
		file    string
		size    int64
		payload string
		ctype   string
	}{
		{"1MiB by id", 1, recordingFile(1, "wav"), 1 * mib, `{"id": 1}`, "audio/wav"},
		{"1MiB mp3 by file", 2, recordingFile(2, "mp3"), 1 * mib, `{"file": "` + recordingFile(2, "mp3") + `"}`, "audio/mpeg"},
		{"16MiB", 3, recordingFile(3, "wav"), 16 * mib, `{"id": "3"}`, "audio/wav"},
		{"1GiB", 4, recordingFile(4, "wav"), 1024 * mib, `{"id": 4}`, "audio/wav"},
	}
	for _, tc := range cases {
		st.sim.AddRecording(yeastartest.Recording{ID: tc.id, File: tc.file, Size: tc.size})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			inv := st.invoke(t, tc.payload)
			mustSucceed(t, inv)
			wantKey := "recordings/2022/04/12/" + tc.file
			if inv.Key != wantKey || inv.Bucket != st.bucket || inv.Bytes != tc.size || inv.AlreadyStored {
				t.Fatalf("result %s, want key %s, %d bytes, newly stored", inv.raw, wantKey, tc.size)
			}
			got, n := st.objectSHA256(t, wantKey)
			if want := sourceSHA256(t, tc.file, tc.size); got != want || n != tc.size {
				t.Fatalf("stored %d bytes sha256 %s, want %d bytes sha256 %s", n, got, tc.size, want)
			}
			st.assertWrittenAs(t, wantKey, tc.size)
			head, err := st.s3.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: &st.bucket, Key: &wantKey})
			if err != nil {
				t.Fatal(err)
			}
			if ct := *head.ContentType; ct != tc.ctype {
				t.Errorf("Content-Type %q, want %q", ct, tc.ctype)
			}
			if f := head.Metadata["recording-file"]; f != tc.file {
				t.Errorf("metadata recording-file %q, want %q", f, tc.file)
			}
			if id := head.Metadata["recording-id"]; strings.Contains(tc.payload, `"id"`) && id != fmt.Sprint(tc.id) {
				t.Errorf("metadata recording-id %q, want %d", id, tc.id)
			}
		})
	}
	if !strings.Contains(st.out.String(), `"message":"recording copied"`) {
		t.Errorf("no structured log line for a copied recording in:\n%s", st.out.String())
	}
}

func testStoredRecordingIsNotDownloadedAgain(t *testing.T, tls bool) {
	st := newStack(t, stackOptions{tls: tls})
	file := recordingFile(10, "wav")
	st.sim.AddRecording(yeastartest.Recording{ID: 10, File: file, Size: 2 * mib})
	first := st.invoke(t, `{"id": 10}`)
	mustSucceed(t, first)
	before := st.sim.Stats().DownloadsStarted
	for _, payload := range []string{`{"id": 10}`, `{"file": "` + file + `"}`} {
		again := st.invoke(t, payload)
		mustSucceed(t, again)
		if !again.AlreadyStored || again.Key != first.Key || again.Bytes != 2*mib {
			t.Errorf("%s: result %s, want alreadyStored with the same key and size", payload, again.raw)
		}
	}
	if after := st.sim.Stats().DownloadsStarted; after != before || before != 1 {
		t.Errorf("downloads started: %d before, %d after; want 1 and no new one", before, after)
	}
}

// testFaultsLeaveNothingBehind arms faults that outlast every retry and
// resume: each invocation fails, and leaves no object and no open upload.
func testFaultsLeaveNothingBehind(t *testing.T, tls bool) {
	opts := stackOptions{tls: tls}
	var proxy *localenv.FaultProxy // fails parts, which exist over HTTP only
	if !tls {
		proxy = localenvtest.FaultProxy(t, s3Server)
		opts.s3Endpoint = proxy.URL
	}
	st := newStack(t, opts)
	// Over HTTP three 8 MiB parts: the faults hit a multipart upload; over
	// HTTPS they cut one streamed PutObject.
	const size = 24 * mib
	// fired counts the faults of the case's kind that struck so far.
	sim := func(kind func(yeastartest.FaultCounts) int) func() int {
		return func() int { return kind(st.sim.Stats().Faults) }
	}
	type fault struct {
		name      string
		arm       func(file string)
		fired     func() int
		wantError string
	}
	cases := []fault{
		// Every request, resumed ones too, breaks after 3 MiB: each attempt
		// gets 18 MiB (over HTTP, two parts uploaded) before its resumes
		// run out.
		{"connection dropped mid-stream, every time", func(f string) { st.sim.DropDownloadAfter(f, 3*mib, 1000) },
			sim(func(c yeastartest.FaultCounts) int { return c.Dropped }), "RetryableError"},
		{"short body, every time", func(f string) { st.sim.ShortDownload(f, 3*mib, 1000) },
			sim(func(c yeastartest.FaultCounts) int { return c.Short }), "RetryableError"},
	}
	if !tls {
		// A wrong body is refused before any byte of it reaches S3, over
		// either transport; parts exist over HTTP only.
		body := sim(func(c yeastartest.FaultCounts) int { return c.Body })
		cases = append(cases, []fault{
			{"JSON body instead of audio", func(f string) {
				st.sim.DownloadBody(f, "application/json", `{"errcode":70082,"errmsg":"OVERLOAD_TASK_RUNNING"}`, 100)
			}, body, "RetryableError"},
			{"JSON body labelled as audio", func(f string) {
				st.sim.DownloadBody(f, "audio/x-wav", `{"errcode":10005,"errmsg":"ACCESS DENIED"}`, 100)
			}, body, "PermanentError"},
			{"HTML body instead of audio", func(f string) {
				st.sim.DownloadBody(f, "text/html", "<html><body>Session expired</body></html>", 100)
			}, body, "RetryableError"},
			{"S3 error during a part", func(string) { proxy.FailUploadPart("2") }, proxy.Failed, "RetryableError"},
		}...)
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			file := recordingFile(20+i, "wav")
			st.sim.AddRecording(yeastartest.Recording{ID: 20 + i, File: file, Size: size})
			before := tc.fired()
			tc.arm(file)
			if proxy != nil {
				defer proxy.FailUploadPart("")
			}
			inv := st.invoke(t, fmt.Sprintf(`{"id": %d}`, 20+i))
			if inv.ErrorType != tc.wantError {
				t.Fatalf("response %s, want errorType %s", inv.raw, tc.wantError)
			}
			if tc.fired() == before {
				t.Errorf("the fault never fired")
			}
			st.assertNothingStored(t)
		})
	}
}

func TestBadInputTouchesNothing(t *testing.T) {
	st := newStack(t, stackOptions{})
	st.sim.AddRecording(yeastartest.Recording{ID: 1, File: recordingFile(1, "wav"), Size: mib})
	cases := []struct{ payload, want string }{
		{`{}`, "no recording named"},
		{`{"id":"abc"}`, `id "abc" is not a positive integer`},
		{`{"id":-1}`, "id -1 is not a positive integer"},
		{`{"id":0}`, "id 0 is not a positive integer"},
		{`{"id":1.5}`, "id 1.5 is not a positive integer"},
		{`{"file":"../etc/passwd"}`, `contains ".."`},
		{`{"file":"dir/a.wav"}`, "path separator"},
		{`{"file":"a\\b.wav"}`, "path separator"},
		{`{"file":"a\u0007b.wav"}`, "control"},
		{`{"file":"a\nb.wav"}`, "control"},
		{`{"file":""}`, "file name is empty"},
		{`{"file":12}`, "file is not a string"},
		{`{"recording":"x"}`, `unknown event shape (fields ["recording"])`},
		{`{"id":1,"extra":true}`, `unknown field "extra"`},
		{`{"id": 1`, "not a JSON object"},
		{`[1,2]`, "not a JSON object"},
		{`"1727"`, "not a JSON object"},
	}
	for _, tc := range cases {
		t.Run(tc.payload, func(t *testing.T) {
			inv := st.invoke(t, tc.payload)
			if inv.ErrorType != "InvalidInputError" || !strings.Contains(inv.ErrorMessage, tc.want) {
				t.Errorf("response %s, want InvalidInputError naming %q", inv.raw, tc.want)
			}
		})
	}
	stats := st.sim.Stats()
	if stats.APIRequests["recording/download"] != 0 || stats.DownloadsStarted != 0 {
		t.Errorf("bad input reached the PBX: %d recording/download calls, %d downloads",
			stats.APIRequests["recording/download"], stats.DownloadsStarted)
	}
	st.assertNothingStored(t)
}

func TestSecretsNeverLeak(t *testing.T) {
	// The download host breaks every connection before answering: Go's
	// HTTP client then reports a *url.Error that prints the full URL,
	// access_token included, unless the client sanitizes it.
	breakDownloads := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/api/download/") {
				conn, _, err := w.(http.Hijacker).Hijack()
				if err == nil {
					_ = conn.Close()
				}
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	st := newStack(t, stackOptions{pbxHandler: breakDownloads})
	st.sim.AddRecording(yeastartest.Recording{ID: 1, File: recordingFile(1, "wav"), Size: mib})
	inv := st.invoke(t, `{"id": 1}`)
	if inv.ErrorType != "RetryableError" || !strings.Contains(inv.ErrorMessage, "/api/download/") {
		t.Fatalf("response %s, want a RetryableError naming the download URL", inv.raw)
	}
	if !strings.Contains(inv.ErrorMessage, "access_token=REDACTED") {
		t.Errorf("error %q: want the URL with its token redacted", inv.ErrorMessage)
	}
	assertNoSecrets(t, st.sim, "the invocation response", string(inv.raw))
	assertNoSecrets(t, st.sim, "the function's output", st.out.String())
	st.assertNothingStored(t)
}
