package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/recording-sync/recording-sync/pkg/trigger"
	"github.com/recording-sync/recording-sync/pkg/webhook"
)

// TestPostEvent posts to a server that checks the signature as the webhook
// function does, and decodes the event as the copy function does.
func TestPostEvent(t *testing.T) {
	const secret = "Zx8Q2mW7pL4kT9vB3nR6yH1cJ5dF0gS2"
	const file = "20220412173331-1649756009.12-2002-2005-Internal.wav"
	var item trigger.Item
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := webhook.Verify(body, r.Header.Get("X-Signature"), secret); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var err error
		if item, err = trigger.DecodePBXEvent(body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		_ = json.NewEncoder(w).Encode(events.LambdaFunctionURLResponse{StatusCode: 200})
	}))
	defer srv.Close()
	var out bytes.Buffer
	err := run(t.Context(), []string{"post-event", "-url", srv.URL, "-recording", file}, func(k string) string {
		if k == "PBX_WEBHOOK_SECRET" {
			return secret
		}
		return ""
	}, &out, io.Discard)
	if err != nil {
		t.Fatalf("post-event: %v\n%s", err, out.String())
	}
	if item.Ref == nil || item.Ref.File != file || item.Ref.Call == nil || item.Ref.Call.ID != "1649756009.12" ||
		item.Ref.Call.From != "2002" || item.Ref.Call.SN != "3631A2124XXX" {
		t.Errorf("the webhook decoded %+v", item)
	}
	if !strings.Contains(out.String(), "HTTP 200") {
		t.Errorf("output %q", out.String())
	}

	err = run(t.Context(), []string{"post-event", "-url", srv.URL, "-secret", "wrong", "-recording", file}, func(string) string { return "" }, &out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "HTTP 401") {
		t.Errorf("wrong secret: %v, want the 401 reported", err)
	}
	for _, args := range [][]string{{"post-event", "-recording", file, "-secret", "s"}, {"post-event", "-url", srv.URL}} {
		if err := run(t.Context(), args, func(string) string { return "" }, io.Discard, io.Discard); !strings.Contains(err.Error(), "required") && !strings.Contains(err.Error(), "-url") {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}
