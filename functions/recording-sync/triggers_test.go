package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/internal/localenv"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

// sampleKey is where a sample recording is stored under the default template.
func sampleKey(t *testing.T, id int) (string, yeastartest.Recording) {
	t.Helper()
	for _, r := range localenv.SampleRecordings {
		if r.ID == id {
			return defaultKey(r.File), r
		}
	}
	t.Fatalf("no sample recording %d", id)
	return "", yeastartest.Recording{}
}

// defaultKey is where the default key template stores file.
func defaultKey(f string) string {
	return fmt.Sprintf("recordings/%s/%s/%s/%s", f[0:4], f[4:6], f[6:8], f)
}

// assertStored checks that the sample recording id is in the bucket, byte
// for byte.
func (st *stack) assertStored(t *testing.T, id int) {
	t.Helper()
	_, rec := sampleKey(t, id)
	st.assertHolds(t, rec)
}

// assertHolds checks that rec is stored under the default key template,
// byte for byte.
func (st *stack) assertHolds(t *testing.T, rec yeastartest.Recording) {
	t.Helper()
	key := defaultKey(rec.File)
	got, n := st.objectSHA256(t, key)
	if want := sourceSHA256(t, rec.File, rec.Size); got != want || n != rec.Size {
		t.Errorf("%s: %d bytes sha256 %s, want %d bytes sha256 %s", key, n, got, rec.Size, want)
	}
}

// batchResponse is an SQS batch answer.
type batchResponse struct {
	BatchItemFailures []struct {
		ItemIdentifier string `json:"itemIdentifier"`
	} `json:"batchItemFailures"`
}

func (st *stack) invokeBatch(t *testing.T, payload string) []string {
	t.Helper()
	return st.batchFailures(t, st.invoke(t, payload))
}

// batchFailures returns the IDs of the records a batch answer names as failed.
func (st *stack) batchFailures(t *testing.T, inv invocation) []string {
	t.Helper()
	var resp batchResponse
	if err := json.Unmarshal(inv.raw, &resp); err != nil || inv.ErrorType != "" || !strings.Contains(string(inv.raw), `"batchItemFailures"`) {
		t.Fatalf("response %s, want a batch answer", inv.raw)
	}
	ids := []string{}
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	return ids
}

// assertMetadata checks the object metadata of the stored sample recording id.
func (st *stack) assertMetadata(t *testing.T, id int, want map[string]string) {
	t.Helper()
	key, _ := sampleKey(t, id)
	head, err := st.s3.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: &st.bucket, Key: &key})
	if err != nil {
		t.Fatalf("head %s: %v", key, err)
	}
	for k, v := range want {
		if got := head.Metadata[k]; got != v {
			t.Errorf("%s: x-amz-meta-%s = %q, want %q", key, k, got, v)
		}
	}
}

// TestSampleEvents runs the built bootstrap with every file in events/,
// as `make invoke` and `sam local invoke -e` do, and checks the bucket.
func TestSampleEvents(t *testing.T) {
	files, err := filepath.Glob("../../events/*.json")
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string]func(t *testing.T, st *stack, inv invocation){
		"direct-id.json":   func(t *testing.T, st *stack, inv invocation) { mustSucceed(t, inv); st.assertStored(t, 1727) },
		"direct-file.json": func(t *testing.T, st *stack, inv invocation) { mustSucceed(t, inv); st.assertStored(t, 1728) },
		"eventbridge.json": func(t *testing.T, st *stack, inv invocation) {
			mustSucceed(t, inv)
			st.assertStored(t, 1729)
			st.assertMetadata(t, 1729, map[string]string{"call-id": "1651397415.88", "call-from": "2001", "call-to": "5551234",
				"call-time-start": "2022-05-01 09:30:15", "call-type": "Outbound", "call-status": "ANSWERED", "pbx-sn": "3631A2124XXX"})
		},
		"pbx-30012.json": func(t *testing.T, st *stack, inv invocation) {
			mustSucceed(t, inv)
			st.assertStored(t, 1730)
			st.assertMetadata(t, 1730, map[string]string{"call-id": "1651486500.12", "call-from": "5551234", "call-to": "2003",
				"call-time-start": "2022-05-02 10:15:00", "call-type": "Inbound", "call-status": "ANSWERED", "pbx-sn": "3631A2124XXX"})
		},
		"pbx-30012-no-recording.json": func(t *testing.T, st *stack, inv invocation) {
			if !strings.Contains(string(inv.raw), `"skipped":true`) || !strings.Contains(string(inv.raw), "1651057476.362") {
				t.Errorf("response %s, want skipped naming the call", inv.raw)
			}
			if s := st.sim.Stats(); s.APIRequests["recording/download"] != 0 || s.DownloadsStarted != 0 {
				t.Errorf("a call without a recording reached the PBX: %+v", s.APIRequests)
			}
			if keys := st.keys(t); len(keys) != 0 {
				t.Errorf("bucket holds %v", keys)
			}
		},
		"sqs.json": func(t *testing.T, st *stack, inv invocation) {
			var resp batchResponse
			if err := json.Unmarshal(inv.raw, &resp); err != nil || len(resp.BatchItemFailures) != 1 ||
				resp.BatchItemFailures[0].ItemIdentifier != "4f6c0c7e-2b0e-4c55-9a43-1b2d7c1f0a02" {
				t.Fatalf("response %s, want exactly the middle record failed", inv.raw)
			}
			st.assertStored(t, 1731)
			st.assertStored(t, 1732)
			if keys := st.keys(t); len(keys) != 2 {
				t.Errorf("bucket holds %v, want the two good recordings", keys)
			}
		},
		"sqs-message.json": func(t *testing.T, st *stack, inv invocation) {
			if failed := st.batchFailures(t, inv); len(failed) != 0 {
				t.Fatalf("failed records %v, want none", failed)
			}
			st.assertStored(t, 1733)
			st.assertStored(t, 614)
			// The call's details are stored with each recording.
			st.assertMetadata(t, 1733, map[string]string{"call-from": "Zo%C3%AB Brandt<2008>", "call-to": "5559876", "pbx-sn": "3631A2124XXX"})
			st.assertMetadata(t, 614, map[string]string{"recording-id": "614", "call-id": "1641980184.14",
				"call-from": "Evelyn<5566>", "call-to": "Dave Harris<5556>", "call-time-start": "2022-01-12 17:36:24",
				"call-type": "Internal", "call-status": "ANSWERED", "pbx-sn": "3631A2124XXX", "call-uid": "2022011217362446627"})
		},
	}
	if len(files) != len(checks) {
		t.Errorf("events/ has %d files, the test checks %d: add a check for every sample", len(files), len(checks))
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			check, ok := checks[name]
			if !ok {
				t.Fatalf("no check for events/%s", name)
			}
			st := newStack(t, stackOptions{})
			for _, r := range localenv.SampleRecordings {
				st.sim.AddRecording(r)
			}
			payload, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			check(t, st, st.invoke(t, string(payload)))
			st.assertNoOpenUploads(t)
		})
	}
}

// TestMalformedShapesFail checks that a malformed single event fails the
// whole invocation, and a malformed SQS record only itself.
func TestMalformedShapesFail(t *testing.T) {
	st := newStack(t, stackOptions{})
	for _, r := range localenv.SampleRecordings {
		st.sim.AddRecording(r)
	}
	singles := []struct{ payload, want string }{
		{`{"version":"0","detail-type":"Call End","source":"yeastar.pbx","detail":"1727"}`, "EventBridge detail is not a JSON object"},
		{`{"detail-type":"Call End","source":"yeastar.pbx","detail":{"call":"x"}}`, `unknown event shape (fields ["call"])`},
		{`{"type":30011,"sn":"x","msg":"{}"}`, "type 30011 is not supported"},
		{`{"type":30012,"sn":"x","msg":"{not json"}`, "msg is not a JSON object"},
		{`{"type":30012,"sn":"x","msg":"{\"recording\":\"../x.wav\"}"}`, `contains ".."`},
		{`{"hello":"world"}`, `unknown event shape (fields ["hello"])`},
		{`{"Records":[]}`, "SQS event has no records"},
	}
	for _, tc := range singles {
		t.Run(tc.payload, func(t *testing.T) {
			inv := st.invoke(t, tc.payload)
			if inv.ErrorType != "InvalidInputError" || !strings.Contains(inv.ErrorMessage, tc.want) {
				t.Errorf("response %s, want InvalidInputError naming %q", inv.raw, tc.want)
			}
		})
	}
	if s := st.sim.Stats(); s.APIRequests["recording/download"] != 0 {
		t.Errorf("malformed events reached the PBX %d times", s.APIRequests["recording/download"])
	}

	batch := `{"Records":[
		{"messageId":"good","eventSource":"aws:sqs","body":"{\"id\":1731}"},
		{"messageId":"not-json","eventSource":"aws:sqs","body":"{\"id\":"},
		{"messageId":"unknown-shape","eventSource":"aws:sqs","body":"{\"call\":1}"},
		{"messageId":"bad-id","eventSource":"aws:sqs","body":"{\"id\":-4}"},
		{"messageId":"no-recording","eventSource":"aws:sqs","body":"{\"type\":30012,\"msg\":\"{\\\"recording\\\":\\\"\\\"}\"}"}
	]}`
	failed := st.invokeBatch(t, batch)
	slices.Sort(failed)
	if want := []string{"bad-id", "not-json", "unknown-shape"}; !slices.Equal(failed, want) {
		t.Errorf("failed records %v, want %v", failed, want)
	}
	st.assertStored(t, 1731)
	out := st.out.String()
	for _, want := range []string{"invalid JSON", `unknown event shape`, "id -4 is not a positive integer"} {
		if !strings.Contains(out, want) {
			t.Errorf("no log line naming %q", want)
		}
	}
}
