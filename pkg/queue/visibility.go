package queue

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// VisibilityAPI is the part of the SQS client a Returner uses.
type VisibilityAPI interface {
	ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, opts ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
}

var _ VisibilityAPI = (*sqs.Client)(nil)

// Returner hands messages received from one queue back to it early: a
// message a function received, and reports as a failed batch item, is
// otherwise received again only after the queue's visibility timeout.
type Returner struct {
	api  VisibilityAPI
	url  string
	name string
}

// NewReturner returns a Returner for the queue at queueURL.
func NewReturner(client VisibilityAPI, queueURL string) *Returner {
	return &Returner{api: client, url: queueURL, name: queueURL[strings.LastIndexByte(queueURL, '/')+1:]}
}

// Queue is the name of the queue, as an SQS record's eventSourceARN ends.
func (r *Returner) Queue() string { return r.name }

// Return makes the message received with receiptHandle visible again
// after d (whole seconds, at most the queue's 12-hour limit).
func (r *Returner) Return(ctx context.Context, receiptHandle string, d time.Duration) error {
	secs := int32(min(d, 12*time.Hour) / time.Second) //nolint:gosec // G115: at most 43,200
	in := &sqs.ChangeMessageVisibilityInput{QueueUrl: &r.url, ReceiptHandle: &receiptHandle, VisibilityTimeout: secs}
	if _, err := r.api.ChangeMessageVisibility(ctx, in); err != nil {
		return classify("hand a message back to the queue", err)
	}
	return nil
}
