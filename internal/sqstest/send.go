package sqstest

import (
	"fmt"
	"regexp"
)

type sendIn struct {
	QueueURL          string `json:"QueueUrl"`
	MessageBody       *string
	DelaySeconds      int
	MessageAttributes map[string]attributeValue
}

// attributeValue is a message attribute as sent; only String values are
// kept (the functions send no other kind).
type attributeValue struct {
	DataType    string
	StringValue *string
}

// messageAttributes checks a request's message attributes as SQS does
// (a data type is required, at most 10) and returns their String values.
func messageAttributes(in map[string]attributeValue) (map[string]string, *apiError) {
	if len(in) > 10 {
		return nil, errInvalid("Number of message attributes [" + fmt.Sprint(len(in)) + "] exceeds the allowed maximum [10].")
	}
	out := map[string]string{}
	for name, v := range in {
		if v.DataType == "" {
			return nil, errInvalid("The message attribute '" + name + "' must contain non-empty message attribute type.")
		}
		if v.StringValue != nil {
			out[name] = *v.StringValue
		}
	}
	return out, nil
}

type sendOut struct {
	MessageID        string `json:"MessageId"`
	MD5OfMessageBody string
}

func (s *Server) sendMessage(in sendIn) (any, *apiError) {
	if in.MessageBody == nil || *in.MessageBody == "" {
		return nil, &apiError{Code: "MissingParameter", Query: "MissingParameter", Message: "MessageBody is required", Sender: true}
	}
	body := *in.MessageBody
	if len(body) > MaxMessageSize {
		return nil, errInvalid(fmt.Sprintf("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", MaxMessageSize))
	}
	if !validBody(body) {
		return nil, &apiError{Code: "InvalidMessageContents", Query: "InvalidMessageContents", Message: "Invalid characters found.", Sender: true}
	}
	attrs, aerr := messageAttributes(in.MessageAttributes)
	if aerr != nil {
		return nil, aerr
	}
	return s.withQueue(in.QueueURL, func(q *queue) (any, *apiError) {
		if f := s.takeEntryFault(); f != nil {
			return nil, &apiError{Code: f.Code, Query: f.Code, Message: f.Message, Sender: f.SenderFault}
		}
		m := s.enqueue(q, body)
		m.attrs = attrs
		return sendOut{MessageID: m.id, MD5OfMessageBody: s.checksum(body)}, nil
	})
}

type batchEntryIn struct {
	ID          string `json:"Id"`
	MessageBody *string
}

type sendBatchIn struct {
	QueueURL string `json:"QueueUrl"`
	Entries  []batchEntryIn
}

type sendBatchOK struct {
	ID               string `json:"Id"`
	MessageID        string `json:"MessageId"`
	MD5OfMessageBody string
}

// BatchFailure is a per-entry failure of a batch, as SQS reports it.
type BatchFailure struct {
	ID          string `json:"Id"`
	Code        string
	Message     string
	SenderFault bool
}

type sendBatchOut struct {
	Successful []sendBatchOK  `json:"Successful"`
	Failed     []BatchFailure `json:"Failed"`
}

// batchEntryID is what SQS allows as a batch entry's Id.
var batchEntryID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// checkBatch applies SQS's request-level rules to a batch's entry IDs.
func checkBatch(ids []string) *apiError {
	switch {
	case len(ids) == 0:
		return &apiError{Code: "EmptyBatchRequest", Query: "AWS.SimpleQueueService.EmptyBatchRequest", Message: "There should be at least one entry in the request.", Sender: true}
	case len(ids) > 10:
		return &apiError{Code: "TooManyEntriesInBatchRequest", Query: "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", Message: fmt.Sprintf("Maximum number of entries per request are 10. You have sent %d.", len(ids)), Sender: true}
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if !batchEntryID.MatchString(id) {
			return &apiError{Code: "InvalidBatchEntryId", Query: "AWS.SimpleQueueService.InvalidBatchEntryId", Message: "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.", Sender: true}
		}
		if seen[id] {
			return &apiError{Code: "BatchEntryIdsNotDistinct", Query: "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", Message: "Id " + id + " repeated.", Sender: true}
		}
		seen[id] = true
	}
	return nil
}

func (s *Server) sendMessageBatch(in sendBatchIn) (any, *apiError) {
	ids := make([]string, len(in.Entries))
	total := 0
	for i, e := range in.Entries {
		ids[i] = e.ID
		if e.MessageBody != nil {
			total += len(*e.MessageBody)
		}
	}
	if err := checkBatch(ids); err != nil {
		return nil, err
	}
	if total > MaxMessageSize {
		return nil, &apiError{Code: "BatchRequestTooLong", Query: "AWS.SimpleQueueService.BatchRequestTooLong",
			Message: fmt.Sprintf("Batch requests cannot be longer than %d bytes. You have sent %d bytes.", MaxMessageSize, total), Sender: true}
	}
	return s.withQueue(in.QueueURL, func(q *queue) (any, *apiError) {
		out := sendBatchOut{Successful: []sendBatchOK{}, Failed: []BatchFailure{}}
		for _, e := range in.Entries {
			switch f := s.takeEntryFault(); {
			case e.MessageBody == nil || *e.MessageBody == "":
				out.Failed = append(out.Failed, BatchFailure{ID: e.ID, Code: "MissingParameter", Message: "The request must contain the parameter MessageBody.", SenderFault: true})
			case !validBody(*e.MessageBody):
				out.Failed = append(out.Failed, BatchFailure{ID: e.ID, Code: "InvalidMessageContents", Message: "Invalid characters found.", SenderFault: true})
			case f != nil:
				f.ID = e.ID
				out.Failed = append(out.Failed, *f)
			default:
				m := s.enqueue(q, *e.MessageBody)
				out.Successful = append(out.Successful, sendBatchOK{ID: e.ID, MessageID: m.id, MD5OfMessageBody: s.checksum(*e.MessageBody)})
			}
		}
		return out, nil
	})
}
