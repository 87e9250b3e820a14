package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/recording-sync/recording-sync/internal/wait"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/trigger"
)

// The webhook secrets of the PBXs of the registry file, 32 characters each.
var pbxSecrets = map[string]string{
	"hq":       "Hq8Q2mW7pL4kT9vB3nR6yH1cJ5dF0gS2",
	"branch-1": "B18Q2mW7pL4kT9vB3nR6yH1cJ5dF0gS2",
	"branch-2": "B28Q2mW7pL4kT9vB3nR6yH1cJ5dF0gS2",
	"added":    "Ad8Q2mW7pL4kT9vB3nR6yH1cJ5dF0gS2",
}

// writeRegistry writes the PBX registry file with the PBXs ids.
func writeRegistry(t *testing.T, path string, ids ...string) {
	t.Helper()
	pbxs := map[string]map[string]string{}
	for _, id := range ids {
		pbxs[id] = map[string]string{"base_url": "https://" + id + ".example.com:8088", "client_id": "app-" + id,
			"client_secret": "client-secret-of-" + id, "webhook_secret": pbxSecrets[id]}
	}
	b, err := json.Marshal(pbxs)
	if err != nil {
		t.Fatal(err)
	}
	// Written beside and renamed, so that the function never reads half a file.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// postTo is a Function URL event for a POST to the function's URL with
// path, body signed with secret.
func postTo(t *testing.T, path string, body []byte, secret string) []byte {
	t.Helper()
	var req events.LambdaFunctionURLRequest
	if err := json.Unmarshal(functionURLEvent("POST", body, yeastartest.WebhookSignature(body, secret)), &req); err != nil {
		t.Fatal(err)
	}
	req.RawPath, req.RequestContext.HTTP.Path = path, path
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestManyPBXs runs the built webhook with three PBXs in PBX_REGISTRY_FILE
// beside the default one: each PBX's signed post is queued with its
// "pbx", the bare URL's without; a body signed with another PBX's secret
// is 401; an unknown id is 404; a PBX added to the file is served without
// a restart once PBX_REGISTRY_REFRESH has passed.
func TestManyPBXs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pbxs.json")
	writeRegistry(t, path, "hq", "branch-1", "branch-2")
	st := newWebhookEnv(t, "PBX_WEBHOOK_SECRET="+testSecret, "PBX_REGISTRY_FILE="+path, "PBX_REGISTRY_REFRESH=200ms")
	body := callEnd(t)
	cases := []struct {
		path, secret string
		status       int
	}{
		{"/pbx/hq", pbxSecrets["hq"], 200},
		{"/pbx/branch-1", pbxSecrets["branch-1"], 200},
		{"/pbx/branch-2", pbxSecrets["branch-2"], 200},
		{"/", testSecret, 200},
		{"/pbx/hq", pbxSecrets["branch-1"], 401},
		{"/pbx/branch-2", testSecret, 401},
		{"/", pbxSecrets["hq"], 401},
		{"/pbx/nowhere", pbxSecrets["hq"], 404},
		{"/pbx/HQ", pbxSecrets["hq"], 404},
		{"/pbx/added", pbxSecrets["added"], 404},
	}
	for _, tc := range cases {
		if resp := st.post(t, postTo(t, tc.path, body, tc.secret)); resp.StatusCode != tc.status {
			t.Errorf("%s: answer %+v, want %d", tc.path, resp, tc.status)
		}
	}
	wantPBX := []string{"hq", "branch-1", "branch-2", ""}
	msgs := st.sqs.Messages("recording-sync-RecordingQueue")
	if len(msgs) != len(wantPBX) {
		t.Fatalf("queue holds %d messages, want %d", len(msgs), len(wantPBX))
	}
	for i, m := range msgs {
		inv, err := trigger.Decode([]byte(m.Body))
		if err != nil || inv.Item.Ref == nil || inv.Item.Ref.PBX != wantPBX[i] || inv.Item.Ref.File != recFile {
			t.Errorf("message %d %s: %+v, %v; want %s from pbx %q", i, m.Body, inv.Item.Ref, err, recFile, wantPBX[i])
		}
	}
	if strings.Contains(msgs[3].Body, `"pbx"`) {
		t.Errorf("the default PBX's message %s carries a pbx", msgs[3].Body)
	}

	writeRegistry(t, path, "hq", "branch-1", "branch-2", "added")
	added := postTo(t, "/pbx/added", body, pbxSecrets["added"])
	// Polled: the function reads the file again on the first request
	// 200ms after its last read.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for st.post(t, added).StatusCode != 200 {
		if err := wait.For(ctx, 50*time.Millisecond); err != nil {
			t.Fatalf("the PBX added to the file is not served after 30s: %v\n%s", err, st.out.String())
		}
	}
	msgs = st.sqs.Messages("recording-sync-RecordingQueue")
	if last := msgs[len(msgs)-1].Body; !strings.HasPrefix(last, `{"pbx":"added",`) {
		t.Errorf("the added PBX's message %s, want it to carry pbx added", last)
	}
	logs := st.out.String()
	for id, s := range pbxSecrets {
		if strings.Contains(logs, s) || strings.Contains(logs, "client-secret-of-"+id) {
			t.Errorf("the function's output shows PBX %s's secret", id)
		}
	}
	if !strings.Contains(logs, `"pbxs":"added,branch-1,branch-2,hq"`) {
		t.Errorf("no line for the registry read with the added PBX in:\n%s", logs)
	}
}
