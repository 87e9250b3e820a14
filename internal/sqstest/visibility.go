package sqstest

import "time"

type visibilityIn struct {
	QueueURL          string `json:"QueueUrl"`
	ReceiptHandle     string
	VisibilityTimeout *int
}

// changeVisibility makes the message received with the latest receipt
// handle visible again after VisibilityTimeout seconds from now, as SQS
// does. A handle of an earlier receive, of a message deleted or of one not
// in flight is refused, as SQS refuses it.
func (s *Server) changeVisibility(in visibilityIn) (any, *apiError) {
	if in.VisibilityTimeout == nil {
		return nil, &apiError{Code: "MissingParameter", Query: "MissingParameter", Message: "The request must contain the parameter VisibilityTimeout.", Sender: true}
	}
	if *in.VisibilityTimeout < 0 || *in.VisibilityTimeout > 43200 {
		return nil, errInvalid("Value for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.")
	}
	return s.withQueue(in.QueueURL, func(q *queue) (any, *apiError) {
		if err := checkHandle(in.ReceiptHandle); err != nil {
			return nil, err
		}
		now := s.opts.Now()
		for _, m := range q.msgs {
			if m.handle == in.ReceiptHandle && m.visibleAt.After(now) {
				m.visibleAt = now.Add(time.Duration(*in.VisibilityTimeout) * time.Second)
				return struct{}{}, nil
			}
		}
		return nil, errInvalid("Value " + in.ReceiptHandle + " for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.")
	})
}
