package sqstest_test

import (
	"crypto/md5" //nolint:gosec // SQS's checksum
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/clocktest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/recording-sync/recording-sync/internal/sqstest"
)

func newServer(t *testing.T) (*sqstest.Server, *sqs.Client, string, *clocktest.Clock) {
	t.Helper()
	clk := clocktest.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	srv, client := sqstest.Start(t, sqstest.Options{Now: clk.Now})
	return srv, client, srv.CreateQueue("recordings"), clk
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s)) //nolint:gosec // the protocol's checksum
	return hex.EncodeToString(sum[:])
}

// TestSendReceiveDelete runs the SDK client through one message's life;
// the SDK verifies every MD5 the server sends.
func TestSendReceiveDelete(t *testing.T) {
	srv, client, url, clk := newServer(t)
	ctx := t.Context()
	body := `{"file":"20220112173629-1641980184.14-5566-5556-Internal.wav","call":{"call_from":"Zoë<5566>"}}`
	sent, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: &body})
	if err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	if aws.ToString(sent.MD5OfMessageBody) != md5Hex(body) || aws.ToString(sent.MessageId) == "" {
		t.Errorf("SendMessage = MD5 %q, ID %q", aws.ToString(sent.MD5OfMessageBody), aws.ToString(sent.MessageId))
	}
	recv := func() *sqs.ReceiveMessageOutput {
		t.Helper()
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: &url, MaxNumberOfMessages: 10, VisibilityTimeout: 60,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameApproximateReceiveCount},
		})
		if err != nil {
			t.Fatalf("ReceiveMessage: %v", err)
		}
		return out
	}
	first := recv()
	if len(first.Messages) != 1 {
		t.Fatalf("received %d messages, want 1", len(first.Messages))
	}
	m := first.Messages[0]
	if aws.ToString(m.Body) != body || aws.ToString(m.MessageId) != aws.ToString(sent.MessageId) ||
		aws.ToString(m.MD5OfBody) != md5Hex(body) || m.Attributes["ApproximateReceiveCount"] != "1" {
		t.Errorf("received %+v, want the message sent, receive count 1", m)
	}
	if again := recv(); len(again.Messages) != 0 {
		t.Errorf("an in-flight message was received again: %+v", again.Messages)
	}
	clk.Advance(61 * time.Second) // the visibility timeout passes
	second := recv()
	if len(second.Messages) != 1 || second.Messages[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("after the visibility timeout: %+v, want the message with receive count 2", second.Messages)
	}
	// The first receipt handle is stale: accepted, deletes nothing.
	if _, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: m.ReceiptHandle}); err != nil {
		t.Fatalf("DeleteMessage with a stale handle: %v", err)
	}
	if n := len(srv.Messages("recordings")); n != 1 {
		t.Fatalf("a stale receipt handle deleted the message (%d left)", n)
	}
	if _, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: second.Messages[0].ReceiptHandle}); err != nil {
		t.Fatalf("DeleteMessage: %v", err)
	}
	if left := srv.Messages("recordings"); len(left) != 0 {
		t.Errorf("queue holds %+v after the delete", left)
	}
	_, err = client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: aws.String("bogus")})
	if code := apiCode(err); code != "ReceiptHandleIsInvalid" {
		t.Errorf("DeleteMessage(bogus) = %v, want ReceiptHandleIsInvalid", err)
	}
}

func apiCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

// TestBatches sends and deletes in batches, with a per-entry failure: the
// entry SQS refuses (characters it does not allow) is reported in Failed
// and not queued; the others are.
func TestBatches(t *testing.T) {
	srv, client, url, _ := newServer(t)
	ctx := t.Context()
	var entries []types.SendMessageBatchRequestEntry
	for i := range 10 {
		body := fmt.Sprintf(`{"id":%d}`, i+1)
		if i == 4 {
			body = "bad \x01 body"
		}
		entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprintf("e%d", i)), MessageBody: aws.String(body)})
	}
	out, err := client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: entries})
	if err != nil {
		t.Fatalf("SendMessageBatch: %v", err)
	}
	if len(out.Successful) != 9 || len(out.Failed) != 1 || aws.ToString(out.Failed[0].Id) != "e4" ||
		aws.ToString(out.Failed[0].Code) != "InvalidMessageContents" || !out.Failed[0].SenderFault {
		t.Fatalf("batch answer: %d successful, failed %+v; want 9 and e4 InvalidMessageContents", len(out.Successful), out.Failed)
	}
	for _, ok := range out.Successful {
		if aws.ToString(ok.MD5OfMessageBody) == "" || aws.ToString(ok.MessageId) == "" {
			t.Errorf("entry %s: no MD5 or message ID", aws.ToString(ok.Id))
		}
	}
	if n := len(srv.Messages("recordings")); n != 9 {
		t.Fatalf("queue holds %d messages, want 9", n)
	}
	recv, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10})
	if err != nil || len(recv.Messages) != 9 {
		t.Fatalf("ReceiveMessage = %d messages, %v; want 9", len(recv.Messages), err)
	}
	var del []types.DeleteMessageBatchRequestEntry
	for i, m := range recv.Messages[:8] {
		del = append(del, types.DeleteMessageBatchRequestEntry{Id: aws.String(fmt.Sprint("d", i)), ReceiptHandle: m.ReceiptHandle})
	}
	del = append(del, types.DeleteMessageBatchRequestEntry{Id: aws.String("bad"), ReceiptHandle: aws.String("not-a-handle")})
	dout, err := client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &url, Entries: del})
	if err != nil {
		t.Fatalf("DeleteMessageBatch: %v", err)
	}
	if len(dout.Successful) != 8 || len(dout.Failed) != 1 || aws.ToString(dout.Failed[0].Code) != "ReceiptHandleIsInvalid" {
		t.Errorf("delete answer %+v", dout)
	}
	if n := len(srv.Messages("recordings")); n != 1 {
		t.Errorf("queue holds %d messages after deleting 8 of 9", n)
	}

	// Request-level refusals.
	eleven := slices.Concat(entries[:10], []types.SendMessageBatchRequestEntry{{Id: aws.String("e10"), MessageBody: aws.String("x")}})
	_, err = client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: eleven})
	if code := apiCode(err); code != "AWS.SimpleQueueService.TooManyEntriesInBatchRequest" {
		t.Errorf("11 entries: %v", err)
	}
	dup := []types.SendMessageBatchRequestEntry{entries[0], entries[0]}
	_, err = client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: dup})
	if code := apiCode(err); code != "AWS.SimpleQueueService.BatchEntryIdsNotDistinct" {
		t.Errorf("duplicate IDs: %v", err)
	}
}

// TestSizeLimits: a body over 256 KiB is refused, one of exactly 256 KiB
// is accepted; a batch over 256 KiB in total is refused whole.
func TestSizeLimits(t *testing.T) {
	srv, client, url, _ := newServer(t)
	ctx := t.Context()
	largest := strings.Repeat("x", sqstest.MaxMessageSize)
	if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: &largest}); err != nil {
		t.Fatalf("256 KiB body: %v", err)
	}
	over := largest + "x"
	_, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: &over})
	if code := apiCode(err); code != "InvalidParameterValue" {
		t.Errorf("256 KiB + 1 body: %v, want InvalidParameterValue", err)
	}
	_, err = client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("a"), MessageBody: &over}, {Id: aws.String("b"), MessageBody: aws.String("{}")},
	}})
	if code := apiCode(err); code != "AWS.SimpleQueueService.BatchRequestTooLong" {
		t.Errorf("batch over 256 KiB: %v, want BatchRequestTooLong", err)
	}
	if n := len(srv.Messages("recordings")); n != 1 {
		t.Errorf("queue holds %d messages, want only the 256 KiB one", n)
	}
}

func TestErrorsAreTyped(t *testing.T) {
	srv, client, _, _ := newServer(t)
	ctx := t.Context()
	missing := srv.URL() + "/" + sqstest.AccountID + "/nope"
	_, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &missing, MessageBody: aws.String("{}")})
	var qdne *types.QueueDoesNotExist
	if !errors.As(err, &qdne) || qdne.ErrorCode() != "AWS.SimpleQueueService.NonExistentQueue" {
		t.Errorf("send to a missing queue: %v (%T), want *types.QueueDoesNotExist", err, err)
	}
	if _, err := client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("nope")}); !errors.As(err, &qdne) {
		t.Errorf("GetQueueUrl(nope) = %v", err)
	}
	got, err := client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("recordings")})
	if err != nil || aws.ToString(got.QueueUrl) != srv.CreateQueue("recordings") {
		t.Errorf("GetQueueUrl = %v, %v", got, err)
	}
	srv.FailRequests("SendMessage", 1, 400, "AccessDenied")
	url := srv.CreateQueue("recordings")
	_, err = client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("{}")})
	if apiCode(err) != "AccessDenied" {
		t.Errorf("injected AccessDenied: %v", err)
	}
	if srv.Requests("SendMessage") != 2 || srv.Faults() != (sqstest.FaultCounts{Requests: 1}) {
		t.Errorf("Requests(SendMessage) = %d, Faults %+v; want 2 and one failed request", srv.Requests("SendMessage"), srv.Faults())
	}
	// Only the injected fault counts as fired: not the missing queue's
	// answer, nor a send after the fault was used up.
	if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("{}")}); err != nil {
		t.Errorf("send after the fault: %v", err)
	}
	if n := srv.FaultsFired("SendMessage"); n != 1 {
		t.Errorf("FaultsFired(SendMessage) = %d, want 1", n)
	}
	srv.FailEntries(1, "KmsThrottled", false)
	if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("{}")}); apiCode(err) != "KmsThrottled" {
		t.Errorf("injected entry fault: %v", err)
	}
	if n := srv.EntryFaultsFired(); n != 1 {
		t.Errorf("EntryFaultsFired = %d, want 1", n)
	}
}

// TestLongPoll: a receive waiting for a message returns it when it is sent.
func TestLongPoll(t *testing.T) {
	_, client, url, _ := newServer(t)
	ctx := t.Context()
	got := make(chan *sqs.ReceiveMessageOutput, 1)
	go func() {
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, WaitTimeSeconds: 20})
		if err != nil {
			t.Error(err)
		}
		got <- out
	}()
	if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(`{"id":1}`)}); err != nil {
		t.Fatal(err)
	}
	out := <-got
	if out == nil || len(out.Messages) != 1 || aws.ToString(out.Messages[0].Body) != `{"id":1}` {
		t.Errorf("long poll answered %+v, want the message", out)
	}
}

// TestChecksumsAreVerified shows that the SDK checks the MD5s this server
// sends: a wrong one fails the call.
func TestChecksumsAreVerified(t *testing.T) {
	srv, client, url, _ := newServer(t)
	srv.CorruptChecksums(1)
	_, err := client.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(`{"id":1}`)})
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "checksum") {
		t.Fatalf("SendMessage with a wrong MD5 = %v, want the SDK's checksum error", err)
	}
	if _, err := client.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(`{"id":2}`)}); err != nil {
		t.Fatalf("SendMessage after the fault: %v", err)
	}
	if got := srv.Faults(); got != (sqstest.FaultCounts{Checksums: 1}) {
		t.Errorf("Faults = %+v, want one corrupted checksum", got)
	}
}

// TestFailEntries: an entry fault fails the next messages sent, one by
// one, the other entries of their batch succeed, and Faults counts them.
func TestFailEntries(t *testing.T) {
	srv, client, url, _ := newServer(t)
	srv.FailEntries(2, "InternalError", false)
	var entries []types.SendMessageBatchRequestEntry
	for i := range 3 {
		entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprintf("e%d", i)), MessageBody: aws.String(`{"id":1}`)})
	}
	out, err := client.SendMessageBatch(t.Context(), &sqs.SendMessageBatchInput{QueueUrl: &url, Entries: entries})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Failed) != 2 || len(out.Successful) != 1 || aws.ToString(out.Failed[0].Code) != "InternalError" {
		t.Errorf("batch: %d failed, %d successful; want 2 InternalError and 1", len(out.Failed), len(out.Successful))
	}
	if got := srv.Faults(); got != (sqstest.FaultCounts{Entries: 2}) {
		t.Errorf("Faults = %+v, want 2 entries", got)
	}
}

// TestChangeMessageVisibility: a message in flight comes back when its
// changed visibility timeout passes; a stale or unknown handle, or a
// timeout out of range, is refused as SQS refuses it.
func TestChangeMessageVisibility(t *testing.T) {
	_, client, url, clk := newServer(t)
	ctx := t.Context()
	if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(`{"id":1}`)}); err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	recv := func() []types.Message {
		t.Helper()
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, VisibilityTimeout: 1800})
		if err != nil {
			t.Fatalf("ReceiveMessage: %v", err)
		}
		return out.Messages
	}
	first := recv()
	if len(first) != 1 {
		t.Fatalf("received %d messages, want 1", len(first))
	}
	change := func(handle *string, secs int32) error {
		_, err := client.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: &url, ReceiptHandle: handle, VisibilityTimeout: secs})
		return err
	}
	if err := change(first[0].ReceiptHandle, 10); err != nil {
		t.Fatalf("ChangeMessageVisibility: %v", err)
	}
	clk.Advance(9 * time.Second)
	if got := recv(); len(got) != 0 {
		t.Fatalf("received %d messages 9 s into a 10 s visibility timeout, want none", len(got))
	}
	clk.Advance(time.Second)
	second := recv()
	if len(second) != 1 {
		t.Fatalf("received %d messages once the changed timeout passed, want 1", len(second))
	}
	for _, tt := range []struct {
		name   string
		handle *string
		secs   int32
		code   string
	}{
		{"stale handle", first[0].ReceiptHandle, 0, "InvalidParameterValue"},
		{"bogus handle", aws.String("bogus"), 0, "ReceiptHandleIsInvalid"},
		{"timeout out of range", second[0].ReceiptHandle, 43201, "InvalidParameterValue"},
	} {
		if err := change(tt.handle, tt.secs); apiCode(err) != tt.code {
			t.Errorf("%s: ChangeMessageVisibility = %v, want %s", tt.name, err, tt.code)
		}
	}
}
