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

// TestSampleFunctionURLEvents posts every events/webhook/*.json, as `sam
// local invoke PbxWebhookFunction -e` would, through the built function
// given the sample secret: each signature is accepted, the call end is
// answered 200 and its recording named in the request's log line (a call
// this old may be taken for a replay and not queued), the test message
// queues nothing.
func TestSampleFunctionURLEvents(t *testing.T) {
	files, err := filepath.Glob("../../events/webhook/*.json")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		status int    // 0: any answer but 401 and 5xx
		logs   string // in the function's output after the post
		queued bool   // whether it may queue
	}{
		"call-end.json":     {status: 200, logs: `"file":"20220502101500-1651486500.12-5551234-2003-Inbound.wav"`, queued: true},
		"test-message.json": {},
	}
	if len(files) != len(want) {
		t.Fatalf("events/webhook holds %v, the test checks %d files: add a check for every sample", files, len(want))
	}
	st := newWebhookEnv(t, "PBX_WEBHOOK_SECRET="+sampleSecret)
	for _, f := range files {
		name := filepath.Base(f)
		w, ok := want[name]
		if !ok {
			t.Fatalf("no check for events/webhook/%s", name)
		}
		raw, err := os.ReadFile(f) //nolint:gosec // a sample file of this repository
		if err != nil {
			t.Fatal(err)
		}
		before := len(st.sqs.Messages("recording-sync-RecordingQueue"))
		resp := st.post(t, raw)
		switch {
		case w.status != 0 && resp.StatusCode != w.status:
			t.Errorf("%s: answer %+v, want %d", name, resp, w.status)
		case resp.StatusCode == 401 || resp.StatusCode >= 500:
			t.Errorf("%s: answer %+v, want the signature accepted and no failure", name, resp)
		}
		if got := len(st.sqs.Messages("recording-sync-RecordingQueue")) - before; got > 1 || got == 1 && !w.queued {
			t.Errorf("%s queued %d messages", name, got)
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
	raw, err := os.ReadFile("../../events/webhook/call-end.json")
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
