package queue

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/trigger"
)

// MaxBatch is the most messages one SendMessageBatch call carries.
const MaxBatch = 10

// SQSAPI is the part of the SQS client a Sender uses.
type SQSAPI interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, opts ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
	SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
}

var _ SQSAPI = (*sqs.Client)(nil)

// Sender sends recording references to one queue.
type Sender struct {
	api SQSAPI
	url string
}

// New returns a Sender to the queue at queueURL.
func New(client SQSAPI, queueURL string) *Sender {
	return &Sender{api: client, url: queueURL}
}

// Send queues one message naming ref. A nil error means SQS stored it.
func (s *Sender) Send(ctx context.Context, ref recording.Ref) error {
	body, err := trigger.Message(ref)
	if err != nil {
		return err
	}
	if _, err := s.api.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &s.url, MessageBody: ptr(string(body))}); err != nil {
		return classify("send message for "+ref.String(), err)
	}
	return nil
}

// SendBatch queues refs, MaxBatch per SendMessageBatch call. errs[i] is
// nil when refs[i] was queued, else why not (an *Error, or an
// *recording.InvalidInputError for a ref that cannot be a message). err is
// set only when the context ended; the refs not yet sent then have errs set
// to it too. Every ref without a nil errs[i] was not queued.
func (s *Sender) SendBatch(ctx context.Context, refs []recording.Ref) (errs []error, err error) {
	errs = make([]error, len(refs))
	for start := 0; start < len(refs); start += MaxBatch {
		if err := ctx.Err(); err != nil {
			for i := start; i < len(refs); i++ {
				errs[i] = err
			}
			return errs, err
		}
		end := min(start+MaxBatch, len(refs))
		s.sendBatch(ctx, refs[start:end], errs[start:end])
	}
	return errs, nil
}

// sendBatch sends up to MaxBatch refs in one call, filling errs.
func (s *Sender) sendBatch(ctx context.Context, refs []recording.Ref, errs []error) {
	in := &sqs.SendMessageBatchInput{QueueUrl: &s.url}
	index := map[string]int{}
	for i, ref := range refs {
		body, err := trigger.Message(ref)
		if err != nil {
			errs[i] = err
			continue
		}
		id := strconv.Itoa(i)
		index[id] = i
		in.Entries = append(in.Entries, types.SendMessageBatchRequestEntry{Id: &id, MessageBody: ptr(string(body))})
	}
	if len(in.Entries) == 0 {
		return
	}
	out, err := s.api.SendMessageBatch(ctx, in)
	if err != nil {
		err = classify(fmt.Sprintf("send a batch of %d messages", len(in.Entries)), err)
		for _, i := range index {
			errs[i] = err
		}
		return
	}
	answered := map[string]bool{}
	for _, ok := range out.Successful {
		answered[deref(ok.Id)] = true
	}
	for _, f := range out.Failed {
		i, ok := index[deref(f.Id)]
		if !ok {
			continue
		}
		answered[deref(f.Id)] = true
		errs[i] = &Error{Op: "send message for " + refs[i].String(), Code: deref(f.Code), Message: deref(f.Message), retryable: !f.SenderFault}
	}
	// SQS answers every entry; one it did not name is not known to be queued.
	for id, i := range index {
		if !answered[id] {
			errs[i] = &Error{Op: "send message for " + refs[i].String(), Message: "no answer for this entry", retryable: true}
		}
	}
}

func ptr(s string) *string { return &s }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
