package webhook_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/recording-sync/recording-sync/internal/logtest"
	"github.com/recording-sync/recording-sync/internal/sqstest"
	"github.com/recording-sync/recording-sync/pkg/metrics"
	"github.com/recording-sync/recording-sync/pkg/queue"
	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/webhook"
)

const (
	wavName    = "20220427190445-1651057476.362-2005-2002-Internal.wav"
	withRecord = `{"type":30012,"sn":"3631A2124XXX","msg":"{\"call_id\":\"1651057476.362\",\"time_start\":\"2022-04-27 19:04:36\",` +
		`\"call_from\":\"Zoë<2005>\",\"call_to\":\"2002\",\"call_duration\":24,\"talk_duration\":21,\"status\":\"ANSWERED\",` +
		`\"type\":\"Internal\",\"recording\":\"` + wavName + `\"}"}`
)

// arrival is the handlers' clock: when every request arrives.
var arrival = time.Date(2022, 4, 27, 19, 5, 2, 0, time.UTC)

var wantRef = recording.Ref{File: wavName, Call: &recording.Call{
	ID: "1651057476.362", TimeStart: "2022-04-27 19:04:36", From: "Zoë<2005>", To: "2002",
	Type: "Internal", Status: "ANSWERED", SN: "3631A2124XXX",
}, CallEnded: &arrival}

// sender records what it is asked to queue, and fails with err.
type sender struct {
	refs []recording.Ref
	err  error
}

func (s *sender) Send(_ context.Context, ref recording.Ref) error {
	if s.err != nil {
		return s.err
	}
	s.refs = append(s.refs, ref)
	return nil
}

// request is a Function URL event as Lambda delivers it (header names in
// lower case).
func request(method, body, signature string) events.LambdaFunctionURLRequest {
	req := events.LambdaFunctionURLRequest{
		Version: "2.0", RawPath: "/", Body: body,
		Headers: map[string]string{"content-type": "application/json", "user-agent": "Yeastar"},
	}
	req.RequestContext.HTTP.Method = method
	if signature != "" {
		req.Headers["x-signature"] = signature
	}
	return req
}

// newHandler returns a Handler queueing on s, with metrics, its clock at
// arrival, and the buffer of its log.
func newHandler(t *testing.T, s webhook.Sender) (*webhook.Handler, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	emitter, err := metrics.NewEmitter(metrics.DefaultNamespace, "stack-pbx-webhook")
	if err != nil {
		t.Fatal(err)
	}
	opts := &webhook.Options{Metrics: emitter, Now: func() time.Time { return arrival }}
	h, err := webhook.NewHandler(webhook.StaticKeyring(secret), s, slog.New(slog.NewJSONHandler(&logs, nil)), opts)
	if err != nil {
		t.Fatal(err)
	}
	return h, &logs
}

func TestAnswers(t *testing.T) {
	big := `{"type":30012,"msg":"` + strings.Repeat("x", webhook.MaxBodySize) + `"}`
	notJSON := "call ended"
	other := `{"type":30011,"sn":"3631A2124XXX","msg":"{\"extension\":\"2005\"}"}`
	b64 := func(s string) events.LambdaFunctionURLRequest {
		r := request("POST", base64.StdEncoding.EncodeToString([]byte(s)), webhook.Sign([]byte(s), secret))
		r.IsBase64Encoded = true
		return r
	}
	tests := []struct {
		name    string
		req     events.LambdaFunctionURLRequest
		send    error
		status  int
		queued  bool
		logWant string
	}{
		{"30012 with a recording", request("POST", withRecord, webhook.Sign([]byte(withRecord), secret)), nil, 200, true, "queued"},
		{"base64 body", b64(withRecord), nil, 200, true, "queued"},
		{"header name in any case", func() events.LambdaFunctionURLRequest {
			r := request("POST", withRecord, "")
			r.Headers["X-SIGNATURE"] = webhook.Sign([]byte(withRecord), secret)
			return r
		}(), nil, 200, true, "queued"},
		{"no signature", request("POST", withRecord, ""), nil, 401, false, "no X-Signature header"},
		{"wrong signature", request("POST", withRecord, webhook.Sign([]byte(withRecord), "another-secret")), nil, 401, false, "does not match"},
		{"signature of another body", request("POST", withRecord, webhook.Sign([]byte(other), secret)), nil, 401, false, "does not match"},
		{"malformed signature", request("POST", withRecord, "not base64!"), nil, 401, false, "is not a base64 HMAC-SHA256"},
		{"signature over the base64 text", func() events.LambdaFunctionURLRequest {
			r := b64(withRecord)
			r.Headers["x-signature"] = webhook.Sign([]byte(r.Body), secret)
			return r
		}(), nil, 401, false, "does not match"},
		{"body over 64 KiB", request("POST", big, webhook.Sign([]byte(big), secret)), nil, 413, false, "body over 65536 bytes"},
		{"base64 body over 64 KiB", b64(big), nil, 413, false, "body over 65536 bytes"},
		{"GET", request("GET", withRecord, webhook.Sign([]byte(withRecord), secret)), nil, 405, false, `method \"GET\" is not POST`},
		{"PUT", request("PUT", withRecord, webhook.Sign([]byte(withRecord), secret)), nil, 405, false, "is not POST"},
		{"signed, not JSON", request("POST", notJSON, webhook.Sign([]byte(notJSON), secret)), nil, 400, false, "not a JSON object"},
		{"signed JSON null", request("POST", "null", webhook.Sign([]byte("null"), secret)), nil, 400, false, "not a JSON object"},
		{"signed JSON array", request("POST", `[{"type":30012}]`, webhook.Sign([]byte(`[{"type":30012}]`), secret)), nil, 400, false, "not a JSON object"},
		{"test message without a type", request("POST", `{"id":1727}`, webhook.Sign([]byte(`{"id":1727}`), secret)), nil, 200, false, `"msg":"webhook test message"`},
		{"empty test message", request("POST", ` {} `, webhook.Sign([]byte(` {} `), secret)), nil, 200, false, `"msg":"webhook test message"`},
		{"test message with a null type", request("POST", `{"type":null,"msg":"hello"}`, webhook.Sign([]byte(`{"type":null,"msg":"hello"}`), secret)), nil, 200, false, `"msg":"webhook test message"`},
		{"event type as text", request("POST", `{"type":"test"}`, webhook.Sign([]byte(`{"type":"test"}`), secret)), nil, 200, false, `"msg":"webhook event ignored","status":200,"reason":"event type (a string) is not 30012: ignored","type":"(a string)"`},
		{"event type as an object", request("POST", `{"type":{"id":1}}`, webhook.Sign([]byte(`{"type":{"id":1}}`), secret)), nil, 200, false, `"type":"(an object)"`}, // body content is never logged
		{"signed 30012, bad recording name", func() events.LambdaFunctionURLRequest {
			b := `{"type":30012,"msg":"{\"recording\":\"../x.wav\"}"}`
			return request("POST", b, webhook.Sign([]byte(b), secret))
		}(), nil, 400, false, "contains"},
		{"bad base64", func() events.LambdaFunctionURLRequest {
			r := b64(withRecord)
			r.Body = "%%%"
			return r
		}(), nil, 400, false, "not valid base64"},
		{"another event type", request("POST", other, webhook.Sign([]byte(other), secret)), nil, 200, false, "event type 30011 is not 30012"},
		{"another event type's line", request("POST", other, webhook.Sign([]byte(other), secret)), nil, 200, false, `"msg":"webhook event ignored","status":200,"reason":"event type 30011 is not 30012: ignored","type":"30011"`},
		{"30012 without a recording", func() events.LambdaFunctionURLRequest {
			return request("POST", body30012, sig30012)
		}(), nil, 200, false, "call 1651057476.362 has no recording: nothing queued"},
		{"queue unreachable", request("POST", withRecord, webhook.Sign([]byte(withRecord), secret)),
			fmt.Errorf("send message: %w", context.DeadlineExceeded), 503, false, "not queued"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &sender{err: tt.send}
			h, logs := newHandler(t, s)
			resp, err := h.Handle(t.Context(), tt.req)
			if err != nil {
				t.Fatalf("Handle returned an error: %v", err)
			}
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d (log %s)", resp.StatusCode, tt.status, logs)
			}
			if tt.queued != (len(s.refs) == 1) || len(s.refs) > 1 {
				t.Errorf("queued %+v, want queued=%v", s.refs, tt.queued)
			}
			if tt.queued && !reflect.DeepEqual(s.refs[0], wantRef) {
				t.Errorf("queued %+v / %+v, want %+v / %+v", s.refs[0], s.refs[0].Call, wantRef, wantRef.Call)
			}
			if tt.status == 405 && resp.Headers["Allow"] != "POST" {
				t.Errorf("405 without Allow: POST")
			}
			line := logs.String()
			if strings.Count(line, "\n") != 1 || !strings.Contains(line, tt.logWant) {
				t.Errorf("log %q, want one line mentioning %q", line, tt.logWant)
			}
			checkLogClean(t, line, tt.req)
			checkMetrics(t, line, requestCounts{received: 1, rejected: one(tt.status == 401), queued: one(tt.queued), permanent: one(tt.status == 500)})
		})
	}
}

// checkLogClean fails if a log line holds the secret, the signature, or
// the body.
func checkLogClean(t *testing.T, line string, req events.LambdaFunctionURLRequest) {
	t.Helper()
	if strings.Contains(line, secret) {
		t.Errorf("log shows the secret: %s", line)
	}
	for k, v := range req.Headers {
		if strings.EqualFold(k, "x-signature") && len(v) > 8 && strings.Contains(line, v) {
			t.Errorf("log shows the signature: %s", line)
		}
	}
	if len(req.Body) > 40 && strings.Contains(line, req.Body) {
		t.Errorf("log shows the body: %s", line)
	}
	for _, frag := range []string{`"sn":`, `call_duration`, `\"recording\"`, `"type":3001`} {
		if strings.Contains(line, frag) {
			t.Errorf("log shows part of the body (%s): %s", frag, line)
		}
	}
}

func TestNewHandlerNeedsASecret(t *testing.T) {
	if _, err := webhook.NewHandler(nil, &sender{}, slog.Default(), nil); !errors.Is(err, webhook.ErrNoSecret) {
		t.Errorf("NewHandler(nil) = %v, want ErrNoSecret", err)
	}
}

// TestQueueThroughSQS queues through the real SDK client and the SQS test
// endpoint: one message, which the copy function's decoder accepts.
func TestQueueThroughSQS(t *testing.T) {
	srv, client := sqstest.Start(t, sqstest.Options{})
	h, _ := newHandler(t, queue.New(client, srv.CreateQueue("recordings")))
	req := request("POST", withRecord, webhook.Sign([]byte(withRecord), secret))
	resp, _ := h.Handle(t.Context(), req)
	msgs := srv.Messages("recordings")
	if resp.StatusCode != http.StatusOK || len(msgs) != 1 {
		t.Fatalf("status %d, %d messages; want 200 and 1", resp.StatusCode, len(msgs))
	}
	want := `{"file":"` + wavName + `","call":{"call_id":"1651057476.362","time_start":"2022-04-27 19:04:36","call_from":"Zoë<2005>",` +
		`"call_to":"2002","type":"Internal","status":"ANSWERED","sn":"3631A2124XXX"},"callEnded":"2022-04-27T19:05:02Z"}`
	if msgs[0].Body != want {
		t.Errorf("message %s, want %s", msgs[0].Body, want)
	}
}

// TestQueueFailures: SQS refusing for good (access denied, no such queue,
// the queue's KMS key refused) is answered 500, logged as a
// PermanentError and counted as WebhookQueueFailedPermanent; a failure
// that may pass (SQS unavailable, throttled) is answered 503, the PBX
// retries, and a RetryableError. The endpoint counts the faults it
// injected, so the answer is known to come from them; the one line
// carries the invocation's requestId, the error and its errorType.
func TestQueueFailures(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		code     string
		want     int
		wantType string
	}{
		{"access denied", 400, "AccessDenied", http.StatusInternalServerError, "PermanentError"},
		{"no such queue", 400, "AWS.SimpleQueueService.NonExistentQueue", http.StatusInternalServerError, "PermanentError"},
		{"KMS key refused", 400, "KmsAccessDenied", http.StatusInternalServerError, "PermanentError"},
		{"SQS unavailable", 503, "ServiceUnavailable", http.StatusServiceUnavailable, "RetryableError"},
		{"throttled", 400, "ThrottlingException", http.StatusServiceUnavailable, "RetryableError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// One attempt: the SDK's retries would only repeat the fault.
			srv, client := sqstest.Start(t, sqstest.Options{})
			var logs bytes.Buffer
			emitter, err := metrics.NewEmitter(metrics.DefaultNamespace, "stack-pbx-webhook")
			if err != nil {
				t.Fatal(err)
			}
			h, err := webhook.NewHandler(webhook.StaticKeyring(secret), queue.New(client, srv.CreateQueue("recordings")),
				slog.New(logtest.Handler(&logs)), &webhook.Options{Metrics: emitter, Now: func() time.Time { return arrival }})
			if err != nil {
				t.Fatal(err)
			}
			srv.FailRequests("SendMessage", 1, tt.status, tt.code)
			ctx := logtest.Invocation(t.Context(), "req-webhook-1")
			resp, _ := h.Handle(ctx, request("POST", withRecord, webhook.Sign([]byte(withRecord), secret)))
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d (log %s)", resp.StatusCode, tt.want, logs.String())
			}
			if n := srv.FaultsFired("SendMessage"); n != 1 {
				t.Errorf("the endpoint fired %d faults, want the 1 injected", n)
			}
			if n := len(srv.Messages("recordings")); n != 0 {
				t.Errorf("%d messages queued, want none", n)
			}
			if n := logtest.CheckLines(t, logs.Bytes(), "req-webhook-1", tt.wantType); n != 1 {
				t.Errorf("%d failure lines, want 1: %s", n, logs.String())
			}
			checkMetrics(t, logs.String(), requestCounts{received: 1, permanent: one(tt.want == http.StatusInternalServerError)})
		})
	}
}
