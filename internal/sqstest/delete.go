package sqstest

import "slices"

type deleteIn struct {
	QueueURL      string `json:"QueueUrl"`
	ReceiptHandle string
}

func (s *Server) deleteMessage(in deleteIn) (any, *apiError) {
	return s.withQueue(in.QueueURL, func(q *queue) (any, *apiError) {
		if err := s.remove(q, in.ReceiptHandle); err != nil {
			return nil, err
		}
		return struct{}{}, nil
	})
}

type deleteBatchEntry struct {
	ID            string `json:"Id"`
	ReceiptHandle string
}

type deleteBatchIn struct {
	QueueURL string `json:"QueueUrl"`
	Entries  []deleteBatchEntry
}

type deleteBatchOK struct {
	ID string `json:"Id"`
}

type deleteBatchOut struct {
	Successful []deleteBatchOK `json:"Successful"`
	Failed     []BatchFailure  `json:"Failed"`
}

func (s *Server) deleteMessageBatch(in deleteBatchIn) (any, *apiError) {
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = e.ID
	}
	if err := checkBatch(ids); err != nil {
		return nil, err
	}
	return s.withQueue(in.QueueURL, func(q *queue) (any, *apiError) {
		out := deleteBatchOut{Successful: []deleteBatchOK{}, Failed: []BatchFailure{}}
		for _, e := range in.Entries {
			if err := s.remove(q, e.ReceiptHandle); err != nil {
				out.Failed = append(out.Failed, BatchFailure{ID: e.ID, Code: "ReceiptHandleIsInvalid", Message: err.Message, SenderFault: true})
				continue
			}
			out.Successful = append(out.Successful, deleteBatchOK{ID: e.ID})
		}
		return out, nil
	})
}

// remove deletes the message whose latest receipt handle is handle. As in
// SQS, a handle of an earlier receive, or of a message already deleted, is
// accepted and deletes nothing. Callers hold s.mu.
func (s *Server) remove(q *queue, handle string) *apiError {
	if err := checkHandle(handle); err != nil {
		return err
	}
	q.msgs = slices.DeleteFunc(q.msgs, func(m *message) bool { return m.handle == handle })
	return nil
}

type getQueueURLIn struct {
	QueueName string
}

func (s *Server) getQueueURL(in getQueueURLIn) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.queues[in.QueueName]; !ok {
		return nil, errNoQueue()
	}
	return struct {
		QueueURL string `json:"QueueUrl"`
	}{s.queueURL(in.QueueName)}, nil
}

// checkHandle refuses what cannot be a receipt handle of this server.
func checkHandle(handle string) *apiError {
	if len(handle) < 4 || handle[:3] != "rh-" {
		return &apiError{Code: "ReceiptHandleIsInvalid", Query: "ReceiptHandleIsInvalid", Message: "The input receipt handle is invalid.", Sender: true}
	}
	return nil
}
