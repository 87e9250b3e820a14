package queue_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/recording-sync/recording-sync/internal/clocktest"
	"github.com/recording-sync/recording-sync/internal/sqstest"
	"github.com/recording-sync/recording-sync/pkg/queue"
)

// TestReturn hands a received message back: it is received again once the
// delay passes, not after the receive's 30 minutes; a handle SQS refuses
// is a failure no retry fixes.
func TestReturn(t *testing.T) {
	clk := clocktest.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	srv, client := sqstest.Start(t, sqstest.Options{Now: clk.Now})
	url := srv.CreateQueue("recording-sync-RecordingQueue-X")
	r := queue.NewReturner(client, url)
	if r.Queue() != "recording-sync-RecordingQueue-X" {
		t.Errorf("Queue() = %q, want the URL's last element", r.Queue())
	}
	ctx := t.Context()
	if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(`{"id":1}`)}); err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	recv := func() int {
		t.Helper()
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &url, VisibilityTimeout: 1800})
		if err != nil {
			t.Fatalf("ReceiveMessage: %v", err)
		}
		if len(out.Messages) == 1 {
			if err := r.Return(ctx, aws.ToString(out.Messages[0].ReceiptHandle), 10*time.Second); err != nil {
				t.Fatalf("Return: %v", err)
			}
		}
		return len(out.Messages)
	}
	if recv() != 1 {
		t.Fatal("the message was not received")
	}
	clk.Advance(9 * time.Second)
	if recv() != 0 {
		t.Fatal("received 9 s after a return of 10 s")
	}
	clk.Advance(time.Second)
	if recv() != 1 {
		t.Fatal("not received again 10 s after its return")
	}
	err := r.Return(ctx, "rh-unknown-1", 10*time.Second)
	if err == nil || queue.Retryable(err) {
		t.Errorf("Return(unknown handle) = %v, want a failure no retry fixes", err)
	}
	if n := srv.Requests("ChangeMessageVisibility"); n != 3 {
		t.Errorf("%d ChangeMessageVisibility requests, want 3", n)
	}
}
