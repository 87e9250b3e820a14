package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/internal/metricstest"
	"github.com/recording-sync/recording-sync/pkg/metrics"
)

// sampleSecret signs events/webhook/*.json (events/webhook/README.md).
const sampleSecret = "SampleWebhookSecret0123456789abc"

// sample is what the function does with one file of events/webhook/.
type sample struct {
	status int
	queued int    // messages it puts on the queue
	logs   string // in the function's output after the post
}

// TestSampleFunctionURLEvents posts every events/webhook/*.json, as `sam
// local invoke PbxWebhookFunction -e` would, through the built function
// given the sample secret: each signature is accepted. With the template's
// lookback the sample call (of 2022) is a replay, answered 200 and not
// queued; with a lookback reaching back to it, it is queued.
func TestSampleFunctionURLEvents(t *testing.T) {
	testMessage := sample{status: 200, logs: `"message":"webhook test message"`}
	for name, tc := range map[string]struct {
		env   string
		files map[string]sample
	}{
		"the template's lookback": {"RECONCILE_LOOKBACK=26h", map[string]sample{
			"call-end.json":     {status: 200, logs: "a replay or an overdue retry, not queued"},
			"test-message.json": testMessage,
		}},
		"a lookback of ten years": {"RECONCILE_LOOKBACK=87600h", map[string]sample{
			"call-end.json":     {status: 200, queued: 1, logs: `"file":"20220502101500-1651486500.12-5551234-2003-Inbound.wav"`},
			"test-message.json": testMessage,
		}},
	} {
		t.Run(name, func(t *testing.T) {
			st := newWebhookEnv(t, "PBX_WEBHOOK_SECRET="+sampleSecret, tc.env)
			postSamples(t, st, tc.files)
		})
	}
}

// postSamples posts each file of events/webhook/ and checks it against want,
// which must name every file.
func postSamples(t *testing.T, st *stack, want map[string]sample) {
	t.Helper()
	files, err := filepath.Glob("../../events/webhook/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(want) {
		t.Fatalf("events/webhook holds %v, the test checks %d files: add a check for every sample", files, len(want))
	}
	for _, f := range files {
		name := filepath.Base(f)
		w, ok := want[name]
		if !ok {
			t.Fatalf("no check for events/webhook/%s", name)
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		before := len(st.sqs.Messages("recording-sync-RecordingQueue"))
		if resp := st.post(t, raw); resp.StatusCode != w.status {
			t.Errorf("%s: answer %+v, want %d", name, resp, w.status)
		}
		if got := len(st.sqs.Messages("recording-sync-RecordingQueue")) - before; got != w.queued {
			t.Errorf("%s queued %d messages, want %d", name, got, w.queued)
		}
		if !strings.Contains(st.out.String(), w.logs) {
			t.Errorf("%s: the function's output lacks %s:\n%s", name, w.logs, st.out.String())
		}
	}
	totals, _, err := metricstest.ParseLog(st.out.String())
	if err != nil {
		t.Fatal(err)
	}
	fn := metrics.DimFunction + "=pbx-webhook"
	if got := totals.Get(metrics.DefaultNamespace, metrics.WebhookEventsReceived.Name, fn); got != float64(len(files)) {
		t.Errorf("WebhookEventsReceived = %v, want %d", got, len(files))
	}
	if got := totals.Get(metrics.DefaultNamespace, metrics.WebhookSignaturesRejected.Name, fn); got != 0 {
		t.Errorf("WebhookSignaturesRejected = %v, want 0: a sample's signature is not valid for the sample secret", got)
	}
}

// TestMetricsWithTextLogFormat: a function whose log format is set to Text
// still writes JSON lines, so CloudWatch still extracts its metrics.
func TestMetricsWithTextLogFormat(t *testing.T) {
	st := newWebhookEnv(t, "PBX_WEBHOOK_SECRET="+sampleSecret, "AWS_LAMBDA_LOG_FORMAT=Text")
	raw, err := os.ReadFile("../../events/webhook/test-message.json")
	if err != nil {
		t.Fatal(err)
	}
	if resp := st.post(t, raw); resp.StatusCode != 200 {
		t.Fatalf("answer %+v, want 200", resp)
	}
	totals, lines, err := metricstest.ParseLog(st.out.String())
	if err != nil {
		t.Fatal(err)
	}
	fn := metrics.DimFunction + "=pbx-webhook"
	if len(lines) != 1 || totals.Get(metrics.DefaultNamespace, metrics.WebhookEventsReceived.Name, fn) != 1 {
		t.Errorf("with AWS_LAMBDA_LOG_FORMAT=Text, %d lines carry metrics (%v), want the request's one:\n%s", len(lines), totals, st.out.String())
	}
}
