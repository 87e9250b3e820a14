package webhookapp

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/recording-sync/recording-sync/internal/secretstest"
	"github.com/recording-sync/recording-sync/internal/sqstest"
	"github.com/recording-sync/recording-sync/pkg/redact"
	"github.com/recording-sync/recording-sync/pkg/webhook"
)

const (
	pbxPrefix    = "recording-sync/pbx/"
	hqWebhook    = "Hq3Wn3Ks9Lm2Vb8Xc4Zr6Ty1Hg5Jd0Fa"
	branchHook   = "Br4Wn3Ks9Lm2Vb8Xc4Zr6Ty1Hg5Jd0Fa"
	hqClientSecr = "hq-client-secret-never-logged"
)

func pbxSecret(host, clientSecret, hook string) string {
	return `{"base_url":"https://` + host + `","client_id":"app","client_secret":"` + clientSecret + `","webhook_secret":"` + hook + `"}`
}

// TestRegistryFromSecrets wires the webhook with PBX_SECRET_PREFIX beside
// the default PBX's own secret: each PBX's path is checked with its own
// secret and queued with its id, the bare URL is the default as before, an
// unknown id is 404 with no secret read, a PBX whose secret is created is
// served after PBX_REGISTRY_REFRESH, and a secret that is no PBX is
// logged as skipped.
func TestRegistryFromSecrets(t *testing.T) {
	sm, q := secretstest.New(), sqstest.New(sqstest.Options{})
	t.Cleanup(sm.Close)
	t.Cleanup(q.Close)
	for _, kv := range append(q.Env(), sm.Env()...) {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	sm.Put(secretID, oldSecret)
	sm.Put(pbxPrefix+"hq", pbxSecret("hq.example.com", hqClientSecr, hqWebhook))
	sm.Put(pbxPrefix+"Bad_Name", pbxSecret("bad.example.com", "x-secret-value", hqWebhook))
	env := map[string]string{"RECORDINGS_QUEUE_URL": q.CreateQueue("recordings"), "PBX_WEBHOOK_SECRET_ID": secretID,
		"PBX_SECRET_PREFIX": pbxPrefix, "PBX_REGISTRY_REFRESH": "1m"}
	now := time.Date(2022, 4, 27, 19, 5, 2, 0, time.UTC)
	var logs bytes.Buffer
	red := redact.New()
	h, err := build(t.Context(), func(k string) (string, bool) { v, ok := env[k]; return v, ok }, red,
		slog.New(slog.NewJSONHandler(&logs, nil)), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	post := func(path, key string) int {
		t.Helper()
		req := events.LambdaFunctionURLRequest{RawPath: path, Body: callEnd, Headers: map[string]string{"x-signature": webhook.Sign([]byte(callEnd), key)}}
		req.RequestContext.HTTP.Method = "POST"
		payload, _ := json.Marshal(req)
		raw, err := h.Invoke(t.Context(), payload)
		var resp events.LambdaFunctionURLResponse
		if err != nil || json.Unmarshal(raw, &resp) != nil {
			t.Fatalf("invoke %s: %s, %v", path, raw, err)
		}
		return resp.StatusCode
	}
	cases := []struct {
		path, key string
		status    int
	}{
		{"/pbx/hq", hqWebhook, 200},
		{"/", oldSecret, 200},
		{"/pbx/hq", oldSecret, 401},
		{"/", hqWebhook, 401},
		{"/pbx/nope", hqWebhook, 404},
		{"/pbx/branch", branchHook, 404},
	}
	for _, tc := range cases {
		if got := post(tc.path, tc.key); got != tc.status {
			t.Errorf("%s: %d, want %d", tc.path, got, tc.status)
		}
	}
	if sm.Reads(pbxPrefix+"nope") != 0 || sm.Reads(pbxPrefix+"branch") != 0 || sm.Lists() != 1 {
		t.Errorf("unknown ids cost %d and %d reads and %d lists, want 0, 0 and 1", sm.Reads(pbxPrefix+"nope"), sm.Reads(pbxPrefix+"branch"), sm.Lists())
	}

	sm.Put(pbxPrefix+"branch", pbxSecret("branch.example.com", "branch-client-secret", branchHook))
	now = now.Add(time.Minute)
	if got := post("/pbx/branch", branchHook); got != 200 {
		t.Errorf("branch added: %d, want 200", got)
	}
	msgs := q.Messages("recordings")
	if len(msgs) != 3 || !strings.HasPrefix(msgs[0].Body, `{"pbx":"hq","file":`) ||
		!strings.HasPrefix(msgs[1].Body, `{"file":`) || !strings.HasPrefix(msgs[2].Body, `{"pbx":"branch","file":`) {
		t.Errorf("messages %v, want hq's, the default's without pbx, branch's", msgs)
	}
	out := logs.String()
	if !strings.Contains(out, `"msg":"PBX skipped","name":"`+pbxPrefix+`Bad_Name"`) || !strings.Contains(out, `"pbxs":"branch,hq"`) {
		t.Errorf("the registry's reads are not logged:\n%s", out)
	}
	for _, s := range []string{hqWebhook, branchHook, hqClientSecr} {
		if strings.Contains(out, s) {
			t.Errorf("the log shows a secret")
		}
		if red.String("x"+s) != "x"+redact.Mask {
			t.Errorf("a PBX's secret is not registered with the redactor")
		}
	}
}
