package main

import (
	"errors"
	"maps"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/trigger"
)

const (
	recFile = "20220112173629-1641980184.14-5566-5556-Internal.wav"
	recKey  = "recordings/2022/01/12/" + recFile
)

// callStart is the time_start of the calls the tests' events end: now, as
// the PBX's clock (UTC here) says, so that the webhook takes them for
// calls that just ended, not replays.
var callStart = time.Now().UTC().Format(trigger.TimeStartLayout)

// callEnd is a 30012 event for recFile with a caller name beyond ASCII.
func callEnd(t testing.TB) []byte {
	t.Helper()
	cdr := yeastartest.CDRFor(recFile)
	cdr.CallFrom, cdr.CallTo = "Jürgen Müller<5566>", "Dave Harris<5556>"
	cdr.TimeStart = callStart
	body, err := yeastartest.NewCDREvent("3631A2124XXX", cdr)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// TestWebhookToBucket follows a call-end webhook through the whole path: a
// signed Function URL event, exactly one message on the queue, the copy
// function fed from it, the recording in the bucket with its call's
// details. The same request replayed stores nothing new and costs the PBX
// nothing.
func TestWebhookToBucket(t *testing.T) {
	st := newWebhook(t).withCopy(t)
	st.sim.AddRecording(yeastartest.Recording{ID: 614, File: recFile, Size: 3 << 20})
	body := callEnd(t)
	event := functionURLEvent("POST", body, yeastartest.WebhookSignature(body, testSecret))

	if resp := st.post(t, event); resp.StatusCode != 200 {
		t.Fatalf("answer %+v, want 200", resp)
	}
	msgs := st.sqs.Messages("recording-sync-RecordingQueue")
	if len(msgs) != 1 {
		t.Fatalf("queue holds %d messages, want 1", len(msgs))
	}
	inv, err := trigger.Decode([]byte(msgs[0].Body))
	if err != nil || inv.Item.Ref == nil || inv.Item.Ref.File != recFile {
		t.Fatalf("message %s decodes to %+v, %v", msgs[0].Body, inv, err)
	}

	res, err := st.esm.Drain(t.Context())
	if err != nil || res.Received != 1 || res.Deleted != 1 || len(res.Failed) != 0 {
		t.Fatalf("feeding the copy function: %+v, %v\n%s", res, err, st.copyOut.String())
	}
	client, err := s3Server.Client(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	key := recKey
	head, err := client.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: &st.bucket, Key: &key})
	if err != nil {
		t.Fatalf("the recording is not in the bucket: %v", err)
	}
	if *head.ContentLength != 3<<20 {
		t.Errorf("stored %d bytes, want %d", *head.ContentLength, 3<<20)
	}
	want := map[string]string{
		"recording-file": recFile, "call-id": "1641980184.14", "call-time-start": callStart,
		"call-from": "Jürgen Müller<5566>", "call-to": "Dave Harris<5556>", "call-type": "Internal",
		"call-status": "ANSWERED", "pbx-sn": "3631A2124XXX",
	}
	for k, v := range want {
		got, err := url.PathUnescape(head.Metadata[k])
		if err != nil || got != v {
			t.Errorf("x-amz-meta-%s = %q, want %q", k, head.Metadata[k], v)
		}
	}

	// A replay: answered 200, queued again, and the copy finds the object
	// with one HEAD, before asking the PBX anything.
	before := st.sim.Stats()
	if resp := st.post(t, event); resp.StatusCode != 200 {
		t.Fatalf("replay answered %+v, want 200", resp)
	}
	if res, err := st.esm.Drain(t.Context()); err != nil || res.Deleted != 1 {
		t.Fatalf("replay through the copy function: %+v, %v", res, err)
	}
	after := st.sim.Stats()
	if after.APIRequests["recording/download"] != before.APIRequests["recording/download"] || after.DownloadsStarted != before.DownloadsStarted {
		t.Errorf("the replay reached the PBX: %v link requests and %d downloads before, %v and %d after",
			before.APIRequests["recording/download"], before.DownloadsStarted, after.APIRequests["recording/download"], after.DownloadsStarted)
	}
	if !strings.Contains(st.copyOut.String(), `"alreadyStored":true`) {
		t.Errorf("the replay's copy did not report the recording already stored")
	}
	list, err := client.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: &st.bucket})
	if err != nil {
		t.Fatal(err)
	}
	recordings := 0
	for _, o := range list.Contents {
		if strings.HasPrefix(*o.Key, "recordings/") {
			recordings++
		}
	}
	if recordings != 1 {
		t.Errorf("bucket holds %d recordings, want 1", recordings)
	}
}

// TestWebhookAnswers checks every refusal through the built function:
// nothing is queued, and the log never holds the secret, a signature or a
// body.
func TestWebhookAnswers(t *testing.T) {
	st := newWebhook(t)
	body := callEnd(t)
	sig := yeastartest.WebhookSignature(body, testSecret)
	notJSON := []byte("call ended")
	other := []byte(`{"type":30011,"sn":"3631A2124XXX","msg":"{\"extension\":\"2005\",\"status\":\"Registered\"}"}`)
	missed := []byte(`{"type":30012,"sn":"3631A2124XXX","msg":"{\"call_id\":\"1651057476.362\",\"status\":\"NO ANSWER\",\"recording\":\"\"}"}`)
	big := []byte(`{"type":30012,"msg":"` + strings.Repeat("x", 64<<10) + `"}`)
	testMessage := []byte(`{"msg":"This is a test message from the PBX.","sn":"3631A2124XXX"}`)
	staleCDR := yeastartest.CDRFor(recFile) // its time_start: 2022-01-12, long before the lookback
	stale, err := yeastartest.NewCDREvent("3631A2124XXX", staleCDR)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		event  []byte
		status int
	}{
		{"unsigned", functionURLEvent("POST", body, ""), 401},
		{"signed with another secret", functionURLEvent("POST", body, yeastartest.WebhookSignature(body, "another-secret")), 401},
		{"signature of another body", functionURLEvent("POST", body, yeastartest.WebhookSignature(other, testSecret)), 401},
		{"body over 64 KiB", functionURLEvent("POST", big, yeastartest.WebhookSignature(big, testSecret)), 413},
		{"GET", functionURLEvent("GET", body, sig), 405},
		{"signed, not JSON", functionURLEvent("POST", notJSON, yeastartest.WebhookSignature(notJSON, testSecret)), 400},
		{"another event type", functionURLEvent("POST", other, yeastartest.WebhookSignature(other, testSecret)), 200},
		{"a call without a recording", functionURLEvent("POST", missed, yeastartest.WebhookSignature(missed, testSecret)), 200},
		{"the PBX's test message", functionURLEvent("POST", testMessage, yeastartest.WebhookSignature(testMessage, testSecret)), 200},
		{"unsigned test message", functionURLEvent("POST", testMessage, ""), 401},
		{"a call that started before the lookback", functionURLEvent("POST", stale, yeastartest.WebhookSignature(stale, testSecret)), 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if resp := st.post(t, tc.event); resp.StatusCode != tc.status {
				t.Errorf("answer %+v, want %d", resp, tc.status)
			}
		})
	}
	if n := len(st.sqs.Messages("recording-sync-RecordingQueue")); n != 0 {
		t.Errorf("queue holds %d messages, want none", n)
	}
	logs := st.out.String()
	for _, secretThing := range []string{testSecret, sig, string(body), "call_duration", `"msg"`} {
		if strings.Contains(logs, secretThing) {
			t.Errorf("the function's output holds %q:\n%s", secretThing, logs)
		}
	}
	lines := map[string]int{}
	for _, msg := range []string{"webhook request", "webhook test message", "webhook event ignored"} {
		lines[msg] = strings.Count(logs, `"message":"`+msg+`"`)
	}
	if want := map[string]int{"webhook request": len(cases) - 2, "webhook test message": 1, "webhook event ignored": 1}; !maps.Equal(lines, want) {
		t.Errorf("log lines %v, want %v (one per request) in:\n%s", lines, want, logs)
	}
	if !strings.Contains(logs, `"type":"30011"`) || !strings.Contains(logs, "a replay or an overdue retry, not queued") {
		t.Errorf("the ignored event's type or the stale call's reason missing from:\n%s", logs)
	}
}

// TestWebhookQueueDown: with the queue unreachable, the webhook answers
// 503, so that the PBX tries again.
func TestWebhookQueueDown(t *testing.T) {
	st := newWebhook(t)
	st.sqs.Close()
	body := callEnd(t)
	if resp := st.post(t, functionURLEvent("POST", body, yeastartest.WebhookSignature(body, testSecret))); resp.StatusCode != 503 {
		t.Errorf("answer %+v, want 503", resp)
	}
	if !strings.Contains(st.out.String(), `"status":503`) {
		t.Errorf("no log line for the 503 in:\n%s", st.out.String())
	}
}

// TestRefusesToStartWithoutSecret runs the bootstrap with neither
// PBX_WEBHOOK_SECRET_ID nor PBX_WEBHOOK_SECRET: it exits at once, naming
// both.
func TestRefusesToStartWithoutSecret(t *testing.T) {
	cmd := exec.CommandContext(t.Context(), webhookBootstrap)
	cmd.Env = []string{"RECORDINGS_QUEUE_URL=https://sqs.eu-west-1.amazonaws.com/123456789012/q"}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("bootstrap without a secret: %v, want exit status 1\n%s", err, out)
	}
	if !strings.Contains(string(out), "PBX_WEBHOOK_SECRET_ID or PBX_WEBHOOK_SECRET is required") {
		t.Errorf("output %q does not name both variables", out)
	}
}
