package localenv

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/recording-sync/recording-sync/internal/wait"
)

// windowPoll is how often a batching window shorter than a second checks
// the queue again: SQS long polls wait whole seconds only.
const windowPoll = 50 * time.Millisecond

// receiveBatch receives one batch: what the first receive finds and, with a
// batching window, what arrives until the batch is full or the window ends.
// Messages received before a failed receive are returned with its error;
// they come back after their visibility timeout.
func (m *EventSourceMapping) receiveBatch(ctx context.Context) ([]types.Message, error) {
	batch := m.BatchSize
	if batch <= 0 || batch > 10 {
		batch = 10
	}
	msgs, err := m.receive(ctx, batch, m.WaitTimeSeconds)
	if err != nil || len(msgs) == 0 || m.BatchingWindow <= 0 {
		return msgs, err
	}
	end := time.Now().Add(m.BatchingWindow)
	for len(msgs) < int(batch) {
		left := time.Until(end)
		if left <= 0 {
			break
		}
		// Whole seconds are long-polled, so that a quiet queue costs one
		// receive a second; the last fraction is polled in short steps
		// rather than waited past.
		poll := int32(min(left/time.Second, 20))
		if poll == 0 && wait.For(ctx, min(left, windowPoll)) != nil {
			return msgs, nil //nolint:nilerr // a stopping mapping hands over what it received
		}
		more, err := m.receive(ctx, batch-int32(len(msgs)), poll) //nolint:gosec // G115: a batch holds at most 10 messages
		msgs = append(msgs, more...)
		if err != nil {
			return msgs, err
		}
	}
	return msgs, nil
}

// receive is one ReceiveMessage of up to n messages.
func (m *EventSourceMapping) receive(ctx context.Context, n, wait int32) ([]types.Message, error) {
	vt := m.VisibilityTimeout
	if vt <= 0 {
		vt = 60
	}
	out, err := m.Queue.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl: &m.QueueURL, MaxNumberOfMessages: n, VisibilityTimeout: vt, WaitTimeSeconds: wait,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
	})
	if err != nil {
		return nil, fmt.Errorf("localenv: receive: %w", err)
	}
	return out.Messages, nil
}
