package main

import (
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/metricstest"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/metrics"
	"github.com/recording-sync/recording-sync/pkg/trigger"
)

// TestWebhookMetrics: N signed call-end posts, one with a bad signature
// and one of another event type, through the built function. Every line
// of its output that is EMF parses, and the totals say what happened:
// N+2 received, 1 rejected, N queued, under the function's name (the
// AWS_LAMBDA_FUNCTION_NAME newWebhook gives it). Each message carries when
// its call ended: when the function received the event.
func TestWebhookMetrics(t *testing.T) {
	const n = 3
	st := newWebhook(t)
	body := callEnd(t)
	other := []byte(`{"type":30011,"sn":"3631A2124XXX","msg":"{\"extension\":\"2005\",\"status\":\"Registered\"}"}`)
	before := time.Now()
	for range n {
		if resp := st.post(t, functionURLEvent("POST", body, yeastartest.WebhookSignature(body, testSecret))); resp.StatusCode != 200 {
			t.Fatalf("signed post: %+v", resp)
		}
	}
	if resp := st.post(t, functionURLEvent("POST", body, yeastartest.WebhookSignature(body, "another-secret"))); resp.StatusCode != 401 {
		t.Fatalf("bad signature: %+v", resp)
	}
	if resp := st.post(t, functionURLEvent("POST", other, yeastartest.WebhookSignature(other, testSecret))); resp.StatusCode != 200 {
		t.Fatalf("another event type: %+v", resp)
	}
	after := time.Now()

	totals, lines, err := metricstest.ParseLog(st.out.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != n+2 {
		t.Errorf("%d lines carry metrics, want one per request (%d):\n%s", len(lines), n+2, st.out.String())
	}
	fn := metrics.DimFunction + "=pbx-webhook"
	for m, want := range map[metrics.Metric]float64{
		metrics.WebhookEventsReceived: n + 2, metrics.WebhookSignaturesRejected: 1, metrics.WebhookEventsQueued: n,
		metrics.WebhookQueueFailedPermanent: 0,
	} {
		if got := totals.Get(metrics.DefaultNamespace, m.Name, fn); got != want {
			t.Errorf("%s{%s} = %v, want %v; all: %v", m.Name, fn, got, want, totals)
		}
	}

	msgs := st.sqs.Messages("recording-sync-RecordingQueue")
	if len(msgs) != n {
		t.Fatalf("queue holds %d messages, want %d", len(msgs), n)
	}
	for _, msg := range msgs {
		inv, err := trigger.Decode([]byte(msg.Body))
		if err != nil || inv.Item.Ref == nil || inv.Item.Ref.CallEnded == nil {
			t.Fatalf("message %s decodes to %+v, %v: want a callEnded", msg.Body, inv, err)
		}
		// The function's clock, read between the first post and the last answer.
		if ended := *inv.Item.Ref.CallEnded; ended.Before(before.Truncate(time.Second)) || ended.After(after) {
			t.Errorf("callEnded %v is not when the event arrived (%v..%v)", ended, before, after)
		}
	}
}
