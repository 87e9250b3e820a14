package localenv

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// QueueAPI is the part of an SQS client an event-source mapping uses.
type QueueAPI interface {
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, opts ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error)
}

// Invoker runs one synchronous invocation; *Lambda is one.
type Invoker interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

var _ Invoker = (*Lambda)(nil)

// EventSourceMapping feeds a queue to a function as Lambda's SQS
// event-source mapping does: it receives up to BatchSize messages, invokes
// the function with an SQS event of them, and deletes the records the
// answer does not list in batchItemFailures (ReportBatchItemFailures). A
// failed invocation, or an answer it cannot read, deletes nothing: the
// messages come back after their visibility timeout.
type EventSourceMapping struct {
	Queue     QueueAPI
	QueueURL  string
	Function  Invoker
	BatchSize int32 // 1-10; default 10
	// VisibilityTimeout is set on each receive, in seconds; default 60.
	VisibilityTimeout int32
	// WaitTimeSeconds is the long poll of each receive; default 0 (Poll
	// returns at once when the queue is empty).
	WaitTimeSeconds int32
	// BatchingWindow is MaximumBatchingWindowInSeconds: once a receive has
	// found a message, Poll keeps receiving until the batch is full or the
	// window, counted from that first receive, has passed; default 0
	// (invoke with what the first receive found).
	BatchingWindow time.Duration
}

// PollResult is what one poll did.
type PollResult struct {
	Received int
	Deleted  int
	Failed   []string // message IDs left on the queue
	Response []byte   // the function's answer
	// InvokeErr is why the whole batch failed, when it did: the
	// invocation failed or its answer was not a batch response. Its
	// messages stay on the queue until their visibility timeout, as
	// Lambda leaves them, and no copy reports them: the caller counts
	// this to tell a batch that never ran from one that ran and failed.
	InvokeErr error
}

// Poll receives one batch and, if there was any message, invokes the
// function with it and deletes what succeeded.
func (m *EventSourceMapping) Poll(ctx context.Context) (PollResult, error) {
	msgs, err := m.receiveBatch(ctx)
	res := PollResult{Received: len(msgs)}
	if res.Received == 0 {
		return res, err
	}
	payload, err := json.Marshal(m.event(msgs))
	if err != nil {
		return res, err
	}
	res.Response, err = m.Function.Invoke(ctx, payload)
	failed, ok := batchFailures(res.Response, msgs)
	if err != nil || !ok {
		res.InvokeErr = err
		if err == nil {
			res.InvokeErr = fmt.Errorf("localenv: not a batch response: %.200s", res.Response)
		}
		for _, msg := range msgs {
			res.Failed = append(res.Failed, aws.ToString(msg.MessageId))
		}
		return res, nil
	}
	var del []types.DeleteMessageBatchRequestEntry
	for i, msg := range msgs {
		if failed[aws.ToString(msg.MessageId)] {
			res.Failed = append(res.Failed, aws.ToString(msg.MessageId))
			continue
		}
		del = append(del, types.DeleteMessageBatchRequestEntry{Id: aws.String(fmt.Sprint(i)), ReceiptHandle: msg.ReceiptHandle})
	}
	if len(del) == 0 {
		return res, nil
	}
	dout, err := m.Queue.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &m.QueueURL, Entries: del})
	if err != nil {
		return res, fmt.Errorf("localenv: delete: %w", err)
	}
	res.Deleted = len(dout.Successful)
	return res, nil
}

// Drain polls until a receive finds the queue empty (of visible messages),
// and sums what the polls did.
func (m *EventSourceMapping) Drain(ctx context.Context) (PollResult, error) {
	var sum PollResult
	for {
		res, err := m.Poll(ctx)
		sum.Received += res.Received
		sum.Deleted += res.Deleted
		sum.Failed = append(sum.Failed, res.Failed...)
		if res.Response != nil {
			sum.Response = res.Response
		}
		if err != nil || res.Received == 0 {
			return sum, err
		}
	}
}

// event is the SQS event Lambda sends for msgs.
func (m *EventSourceMapping) event(msgs []types.Message) events.SQSEvent {
	name := m.QueueURL[strings.LastIndexByte(m.QueueURL, '/')+1:]
	ev := events.SQSEvent{Records: make([]events.SQSMessage, len(msgs))}
	for i, msg := range msgs {
		ev.Records[i] = events.SQSMessage{
			MessageId:         aws.ToString(msg.MessageId),
			ReceiptHandle:     aws.ToString(msg.ReceiptHandle),
			Body:              aws.ToString(msg.Body),
			Md5OfBody:         aws.ToString(msg.MD5OfBody),
			Attributes:        msg.Attributes,
			MessageAttributes: map[string]events.SQSMessageAttribute{},
			EventSource:       "aws:sqs",
			EventSourceARN:    "arn:aws:sqs:" + S3Region + ":000000000000:" + name,
			AWSRegion:         S3Region,
		}
	}
	return ev
}

// batchFailures reads a function's answer: the message IDs it lists as
// failed. ok is false when the answer is not a batch answer naming only
// messages of the batch, which Lambda treats as the whole batch failing.
func batchFailures(resp []byte, msgs []types.Message) (failed map[string]bool, ok bool) {
	var ans struct {
		ErrorType         string `json:"errorType"`
		BatchItemFailures []struct {
			ItemIdentifier string `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
	}
	if json.Unmarshal(resp, &ans) != nil || ans.ErrorType != "" {
		return nil, false
	}
	ids := map[string]bool{}
	for _, msg := range msgs {
		ids[aws.ToString(msg.MessageId)] = true
	}
	failed = map[string]bool{}
	for _, f := range ans.BatchItemFailures {
		if !ids[f.ItemIdentifier] {
			return nil, false
		}
		failed[f.ItemIdentifier] = true
	}
	return failed, true
}
