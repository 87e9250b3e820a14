package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

// recordingFunction answers every invocation with answer and keeps the
// events it was invoked with.
type recordingFunction struct {
	answer string
	events []events.LambdaFunctionURLRequest
}

func (f *recordingFunction) Invoke(_ context.Context, payload []byte) ([]byte, error) {
	var req events.LambdaFunctionURLRequest
	if err := json.Unmarshal(payload, &req); err != nil {
		return nil, err
	}
	f.events = append(f.events, req)
	return []byte(f.answer), nil
}

// TestFunctionURL: a PBX's signed post to the local Function URL reaches
// the function as the Function URL event Lambda makes of it (path, method,
// lower-case headers, the body as sent), and the function's answer comes
// back as the HTTP response; a failed invocation is 502; a binary body
// arrives in base64.
func TestFunctionURL(t *testing.T) {
	tests := []struct {
		name       string
		answer     string
		body       []byte
		wantStatus int
		wantBody   string
	}{
		{
			name: "refused", answer: `{"statusCode":401,"headers":{"Content-Type":"application/json"},"body":"{\"status\":\"Unauthorized\"}"}`,
			body: []byte(`{"type":30012}`), wantStatus: http.StatusUnauthorized, wantBody: `{"status":"Unauthorized"}`,
		},
		{name: "function failed", answer: `{"errorType":"PanicError","errorMessage":"boom"}`, body: []byte(`{}`), wantStatus: http.StatusBadGateway},
		{name: "binary body", answer: `{"statusCode":200,"body":"b2s=","isBase64Encoded":true}`, body: []byte{0xff, 0xfe}, wantStatus: http.StatusOK, wantBody: "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fn := &recordingFunction{answer: tt.answer}
			site, err := startFunctionURL(fn)
			if err != nil {
				t.Fatal(err)
			}
			defer site.close()
			status, answer, err := yeastartest.PostEvent(t.Context(), &http.Client{Timeout: 30 * time.Second}, site.URL+"/pbx/branch", tt.body, "secret")
			if err != nil {
				t.Fatal(err)
			}
			if status != tt.wantStatus || tt.wantBody != "" && answer != tt.wantBody {
				t.Errorf("answer HTTP %d %q, want %d %q", status, answer, tt.wantStatus, tt.wantBody)
			}
			if len(fn.events) != 1 {
				t.Fatalf("the function was invoked %d times, want once", len(fn.events))
			}
			req := fn.events[0]
			if req.RawPath != "/pbx/branch" || req.RequestContext.HTTP.Method != http.MethodPost || req.Version != "2.0" {
				t.Errorf("event %s %s (version %q), want POST /pbx/branch, version 2.0", req.RequestContext.HTTP.Method, req.RawPath, req.Version)
			}
			if got, want := req.Headers["x-signature"], yeastartest.WebhookSignature(tt.body, "secret"); got != want {
				t.Errorf("x-signature %q, want %q (headers %v)", got, want, req.Headers)
			}
			body := []byte(req.Body)
			if req.IsBase64Encoded {
				body, _ = base64.StdEncoding.DecodeString(req.Body)
			}
			if string(body) != string(tt.body) || req.IsBase64Encoded != (tt.body[0] == 0xff) {
				t.Errorf("event body %q (base64 %v), want %q", req.Body, req.IsBase64Encoded, tt.body)
			}
		})
	}
}

// TestObjectNote: the demo's listing tells token and state objects, one
// per PBX too, from recordings, which the metrics check counts.
func TestObjectNote(t *testing.T) {
	for key, want := range map[string]string{
		".recording-sync/pbx-token.json":                             "the PBX token all instances share",
		".recording-sync/hq/pbx-token.json":                          "PBX hq's token",
		".recording-sync/reconcile-state.json":                       "the reconciler's cursor",
		"recordings/hq/2024/01/05/20240105093000-1704447000.1-x.wav": "",
		"recordings/.recording-sync/hq/pbx-token.json":               "",
		".recording-sync/a/b/pbx-token.json":                         "",
	} {
		got := objectNote(key)
		if want == "" && got != "" || !strings.Contains(got, want) {
			t.Errorf("objectNote(%q) = %q, want %q", key, got, want)
		}
	}
}
