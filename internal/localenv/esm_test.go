package localenv_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/recording-sync/recording-sync/internal/localenv"
	"github.com/recording-sync/recording-sync/internal/sqstest"
	"github.com/recording-sync/recording-sync/pkg/trigger"
)

// function answers an SQS event as the copy function does: a batch answer
// naming the records whose body is in fail, or, with errorType, an error.
type function struct {
	fail      map[string]bool
	errorType string
	answer    string // when set, answered as is
	events    []trigger.Invocation
}

func (f *function) Invoke(_ context.Context, payload []byte) ([]byte, error) {
	inv, err := trigger.Decode(payload)
	if err != nil || inv.Kind != trigger.KindSQS {
		return nil, fmt.Errorf("not an SQS event: %w", err)
	}
	f.events = append(f.events, inv)
	switch {
	case f.answer != "":
		return []byte(f.answer), nil
	case f.errorType != "":
		return []byte(`{"errorType":"` + f.errorType + `","errorMessage":"x"}`), nil
	}
	var failures []map[string]string
	var ev struct {
		Records []struct{ MessageID, Body string }
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	for _, r := range ev.Records {
		if f.fail[r.Body] {
			failures = append(failures, map[string]string{"itemIdentifier": r.MessageID})
		}
	}
	return json.Marshal(map[string]any{"batchItemFailures": failures})
}

func setup(t *testing.T, bodies ...string) (*sqstest.Server, *sqs.Client, string) {
	t.Helper()
	srv := sqstest.New(sqstest.Options{})
	t.Cleanup(srv.Close)
	client, err := srv.Client(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	url := srv.CreateQueue("recordings")
	for _, b := range bodies {
		if _, err := client.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	return srv, client, url
}

func bodies(msgs []sqstest.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Body)
	}
	return out
}

func TestEventSourceMappingDeletesWhatSucceeded(t *testing.T) {
	srv, client, url := setup(t, `{"id":1}`, `{"id":2}`, `{"id":3}`)
	fn := &function{fail: map[string]bool{`{"id":2}`: true}}
	esm := &localenv.EventSourceMapping{Queue: client, QueueURL: url, Function: fn}
	res, err := esm.Poll(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if res.Received != 3 || res.Deleted != 2 || len(res.Failed) != 1 || res.InvokeErr != nil {
		t.Errorf("poll = %+v, want 3 received, 2 deleted, 1 failed, the invocation itself not failed", res)
	}
	if left := bodies(srv.Messages("recordings")); !slices.Equal(left, []string{`{"id":2}`}) {
		t.Errorf("queue holds %v, want the failed message only", left)
	}
	recs := fn.events[0].Records
	if len(recs) != 3 {
		t.Fatalf("event with %d records", len(recs))
	}
	for i, r := range recs {
		if r.Err != nil || r.Item.Ref == nil || r.Item.Ref.ID != int64(i+1) {
			t.Errorf("record %d decoded as %+v, %v", i, r.Item, r.Err)
		}
	}
	// Nothing visible is left: the failed message is in flight.
	if res, err := esm.Drain(t.Context()); err != nil || res.Received != 0 {
		t.Errorf("Drain = %+v, %v; want nothing received", res, err)
	}
}

func TestEventSourceMappingKeepsAFailedBatch(t *testing.T) {
	for name, fn := range map[string]*function{
		"function error":       {errorType: "RetryableError"},
		"unknown record named": {answer: `{"batchItemFailures":[{"itemIdentifier":"nope"}]}`},
		"not a batch answer":   {answer: `"ok"`},
	} {
		t.Run(name, func(t *testing.T) {
			srv, client, url := setup(t, `{"id":1}`, `{"id":2}`)
			res, err := (&localenv.EventSourceMapping{Queue: client, QueueURL: url, Function: fn}).Poll(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if res.Deleted != 0 || len(res.Failed) != 2 {
				t.Errorf("poll = %+v, want nothing deleted", res)
			}
			if res.InvokeErr == nil {
				t.Error("InvokeErr = nil, want why the batch failed")
			}
			if n := len(srv.Messages("recordings")); n != 2 {
				t.Errorf("queue holds %d messages, want 2", n)
			}
		})
	}
}

func TestEventSourceMappingBatchesOfTen(t *testing.T) {
	var msgs []string
	for i := range 23 {
		msgs = append(msgs, fmt.Sprintf(`{"id":%d}`, i+1))
	}
	srv, client, url := setup(t, msgs...)
	fn := &function{}
	res, err := (&localenv.EventSourceMapping{Queue: client, QueueURL: url, Function: fn}).Drain(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if res.Received != 23 || res.Deleted != 23 || len(fn.events) != 3 {
		t.Errorf("drain = %+v in %d invocations, want 23 in 3", res, len(fn.events))
	}
	if n := len(srv.Messages("recordings")); n != 0 {
		t.Errorf("queue holds %d messages", n)
	}
}
