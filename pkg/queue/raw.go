package queue

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// SendRaw queues body unchanged, with attrs as String message attributes:
// the copy function moves a message no retry can process to its
// dead-letter queue this way, saying why in the attributes. A nil error
// means SQS stored it.
func (s *Sender) SendRaw(ctx context.Context, body string, attrs map[string]string) error {
	in := &sqs.SendMessageInput{QueueUrl: &s.url, MessageBody: &body}
	if len(attrs) > 0 {
		in.MessageAttributes = make(map[string]types.MessageAttributeValue, len(attrs))
		for name, v := range attrs {
			in.MessageAttributes[name] = types.MessageAttributeValue{DataType: ptr("String"), StringValue: ptr(v)}
		}
	}
	if _, err := s.api.SendMessage(ctx, in); err != nil {
		return classify("move a message to the dead-letter queue", err)
	}
	return nil
}
