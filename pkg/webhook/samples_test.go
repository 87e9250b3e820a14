package webhook_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/recording-sync/recording-sync/pkg/webhook"
)

// sampleSecret signs the Function URL samples in events/webhook/, as
// events/webhook/README.md says: give it to the function (PBX_WEBHOOK_SECRET)
// to invoke it with them.
const sampleSecret = "SampleWebhookSecret0123456789abc"

// TestSampleFunctionURLEvents: every events/webhook/*.json is a Function
// URL POST whose X-Signature is valid for sampleSecret, and for no other
// secret; the end-to-end tests of functions/pbx-webhook post them.
func TestSampleFunctionURLEvents(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "events", "webhook", "*.json"))
	if err != nil || len(files) < 2 {
		t.Fatalf("events/webhook/*.json: %v, %v; want the call end and the test message", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var req events.LambdaFunctionURLRequest
			if err := json.Unmarshal(raw, &req); err != nil {
				t.Fatal(err)
			}
			if req.RequestContext.HTTP.Method != "POST" || req.IsBase64Encoded || req.Body == "" {
				t.Errorf("%s: want a POST with a plain body, as the PBX sends", f)
			}
			sig := req.Headers["x-signature"]
			if err := webhook.Verify([]byte(req.Body), sig, sampleSecret); err != nil {
				t.Errorf("%s: signature not valid for the sample secret: %v", f, err)
			}
			if err := webhook.Verify([]byte(req.Body), sig, "AnotherSecret0123456789abcdefghi"); !errors.Is(err, webhook.ErrBadSignature) {
				t.Errorf("%s: another secret verifies it (%v)", f, err)
			}
		})
	}
}
