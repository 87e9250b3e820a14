package main

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/trigger"
)

// postCallStarted posts a signed call-end event whose call started at
// start (the PBX's clock, UTC here) and returns the answer, how many
// messages it queued and what the function printed for it.
func (st *stack) postCallStarted(t *testing.T, start time.Time) (events.LambdaFunctionURLResponse, int, string) {
	t.Helper()
	cdr := yeastartest.CDRFor(recFile)
	cdr.TimeStart = start.UTC().Format(trigger.TimeStartLayout)
	body, err := yeastartest.NewCDREvent("3631A2124XXX", cdr)
	if err != nil {
		t.Fatal(err)
	}
	queued, offset := len(st.sqs.Messages("recording-sync-RecordingQueue")), len(st.out.String())
	resp := st.post(t, functionURLEvent("POST", body, yeastartest.WebhookSignature(body, testSecret)))
	return resp, len(st.sqs.Messages("recording-sync-RecordingQueue")) - queued, st.out.String()[offset:]
}

// TestCallOlderThanLookbackAndADay: with RECONCILE_LOOKBACK=2h, a 30012
// whose call started 27 hours ago, more than the lookback plus a day, is
// acknowledged 200 and not queued, with one log line saying why; one whose
// call started 25 hours ago, past the lookback but within the day added
// for the PBX's time zone, is queued.
func TestCallOlderThanLookbackAndADay(t *testing.T) {
	st := newWebhookEnv(t, "PBX_WEBHOOK_SECRET="+testSecret, "RECONCILE_LOOKBACK=2h")
	now := time.Now()

	resp, queued, out := st.postCallStarted(t, now.Add(-27*time.Hour))
	if resp.StatusCode != 200 || queued != 0 {
		t.Errorf("a call of 27 hours ago: answer %+v, %d queued; want 200 and nothing queued", resp, queued)
	}
	reason := "more than 26h0m0s ago: a replay or an overdue retry, not queued"
	if n := strings.Count(out, `"message":"webhook request"`); n != 1 || !strings.Contains(out, reason) || !strings.Contains(out, `"status":200`) {
		t.Errorf("%d request lines, want one with status 200 and %q, in:\n%s", n, reason, out)
	}

	resp, queued, out = st.postCallStarted(t, now.Add(-25*time.Hour))
	if resp.StatusCode != 200 || queued != 1 {
		t.Errorf("a call of 25 hours ago: answer %+v, %d queued; want 200 and one message", resp, queued)
	}
	if !strings.Contains(out, `"reason":"queued"`) {
		t.Errorf("the queued call's line lacks its reason in:\n%s", out)
	}
}
