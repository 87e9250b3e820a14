package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/internal/localenv"
	"github.com/recording-sync/recording-sync/internal/sqstest"
)

// TestInvalidRecordGoesToTheDeadLetterQueue runs an SQS batch with a
// malformed record and a good one through the bootstrap with
// DEAD_LETTER_QUEUE_URL set: the malformed record is moved, body unchanged,
// to the dead-letter queue at once instead of being redelivered, so the
// batch answers no failures; the good one is stored.
func TestInvalidRecordGoesToTheDeadLetterQueue(t *testing.T) {
	q := sqstest.New(sqstest.Options{})
	t.Cleanup(q.Close)
	dlq := q.CreateQueue("recording-sync-DeadLetterQueue")
	st := newStack(t, stackOptions{extraEnv: []string{"AWS_ENDPOINT_URL_SQS=" + q.URL(), "DEAD_LETTER_QUEUE_URL=" + dlq}})
	for _, r := range localenv.SampleRecordings {
		st.sim.AddRecording(r)
	}
	const bad = `{"id":"abc"}`
	failures := st.invokeBatch(t, sqsBatch(bad, `{"id":1728}`))
	if len(failures) != 0 {
		t.Errorf("batchItemFailures = %v, want none: the bad record is on the dead-letter queue", failures)
	}
	st.assertStored(t, 1728)
	if keys := st.keys(t); len(keys) != 1 {
		t.Errorf("bucket holds %v, want only the good recording", keys)
	}
	msgs := q.Messages("recording-sync-DeadLetterQueue")
	if len(msgs) != 1 || msgs[0].Body != bad {
		t.Fatalf("dead-letter queue holds %+v, want the bad record's body %s", msgs, bad)
	}
	attrs := msgs[0].Attributes
	if attrs["errorType"] != "InvalidInputError" || attrs["sourceMessageId"] != "m1" || !strings.Contains(attrs["errorMessage"], "invalid input") {
		t.Errorf("dead letter attributes = %v, want errorType InvalidInputError, sourceMessageId m1 and the reason", attrs)
	}
	assertNoSecrets(t, st.sim, "dead letter attributes", fmt.Sprint(attrs))
	st.assertNoOpenUploads(t)
}

// sqsBatch is an SQS event with one record per body, IDs m1, m2, ...
func sqsBatch(bodies ...string) string {
	recs := make([]string, len(bodies))
	for i, b := range bodies {
		quoted, _ := json.Marshal(b)
		recs[i] = fmt.Sprintf(`{"messageId":"m%d","receiptHandle":"h%d","body":%s,"eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-1:000000000000:recordings","awsRegion":"us-east-1"}`, i+1, i+1, quoted)
	}
	return `{"Records":[` + strings.Join(recs, ",") + `]}`
}
