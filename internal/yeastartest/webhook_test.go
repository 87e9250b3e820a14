package yeastartest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestWebhookSignature(t *testing.T) {
	// Computed outside Go: printf '%s' "$body" | openssl dgst -sha256 -hmac "$secret" -binary | base64
	const body = `{"type":30012,"sn":"3631A2124XXX","msg":"{\"call_id\":\"1651057476.362\",\"recording\":\"\"}"}`
	const secret = "Zx8Q2mW7pL4kT9vB3nR6yH1cJ5dF0gS2"
	if got := WebhookSignature([]byte(body), secret); got != "flJFOpoiwZnF/NRfGZQK037np2h5TTdpMammb76NYkU=" {
		t.Errorf("WebhookSignature = %q", got)
	}
}

func TestNewCDREvent(t *testing.T) {
	cdr := CDRFor("20220112173629-1641980184.14-5566-5556-Internal.wav")
	want := CDR{CallID: "1641980184.14", TimeStart: "2022-01-12 17:36:29", CallFrom: "5566", CallTo: "5556", Type: "Internal",
		Status: "ANSWERED", CallDuration: 37, TalkDuration: 31, Recording: "20220112173629-1641980184.14-5566-5556-Internal.wav"}
	if cdr != want {
		t.Fatalf("CDRFor = %+v, want %+v", cdr, want)
	}
	body, err := NewCDREvent("3631A2124XXX", cdr)
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Type int
		SN   string
		Msg  string
	}
	if err := json.Unmarshal(body, &ev); err != nil || ev.Type != 30012 || ev.SN != "3631A2124XXX" {
		t.Fatalf("event %s: %v", body, err)
	}
	var back CDR
	if err := json.Unmarshal([]byte(ev.Msg), &back); err != nil || back != cdr {
		t.Errorf("msg %q decodes to %+v, %v", ev.Msg, back, err)
	}
}

func TestPostEvent(t *testing.T) {
	const secret = "s"
	var got *http.Request
	var gotBody []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		gotBody, _ = io.ReadAll(r.Body)
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte(`{"status":"Accepted"}`))
	}))
	defer srv.Close()
	body := []byte(`{"type":30012}`)
	status, answer, err := PostEvent(t.Context(), srv.Client(), srv.URL, body, secret)
	if err != nil || status != http.StatusAccepted || answer != `{"status":"Accepted"}` {
		t.Fatalf("PostEvent = %d, %q, %v", status, answer, err)
	}
	if got.Method != http.MethodPost || got.Header.Get("X-Signature") != WebhookSignature(body, secret) ||
		got.Header.Get("Content-Type") != "application/json" || string(gotBody) != string(body) {
		t.Errorf("request %s %v %s", got.Method, got.Header, gotBody)
	}
}

func TestWebhookInvocation(t *testing.T) {
	const body, secret = `{"type":30012}`, "Zx8Q2mW7pL4kT9vB3nR6yH1cJ5dF0gS2"
	payload, err := WebhookInvocation([]byte(body), secret)
	if err != nil {
		t.Fatal(err)
	}
	var req events.LambdaFunctionURLRequest
	if err := json.Unmarshal(payload, &req); err != nil {
		t.Fatal(err)
	}
	if req.RequestContext.HTTP.Method != http.MethodPost || req.RawPath != "/" || req.Body != body || req.IsBase64Encoded {
		t.Errorf("invocation %s: want a POST of the body to /", payload)
	}
	if got := req.Headers["x-signature"]; got != WebhookSignature([]byte(body), secret) {
		t.Errorf("x-signature = %q, want the body's signature", got)
	}
}
