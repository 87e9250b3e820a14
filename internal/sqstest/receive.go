package sqstest

import (
	"net/http"
	"slices"
	"strconv"
	"time"
)

// MaxWait bounds a long poll, as SQS does (WaitTimeSeconds 0-20).
const MaxWait = 20 * time.Second

type receiveIn struct {
	QueueURL                    string `json:"QueueUrl"`
	MaxNumberOfMessages         *int
	VisibilityTimeout           *int
	WaitTimeSeconds             int
	AttributeNames              []string
	MessageSystemAttributeNames []string
}

type receivedMessage struct {
	MessageID     string            `json:"MessageId"`
	ReceiptHandle string            `json:"ReceiptHandle"`
	MD5OfBody     string            `json:"MD5OfBody"`
	Body          string            `json:"Body"`
	Attributes    map[string]string `json:"Attributes,omitempty"`
}

type receiveOut struct {
	Messages []receivedMessage `json:"Messages,omitempty"`
}

// receiveMessage takes up to MaxNumberOfMessages visible messages, making
// them invisible for the visibility timeout. With WaitTimeSeconds and no
// message, it waits for one (long polling) until the wait ends or the
// client goes away; the lock is not held while waiting.
func (s *Server) receiveMessage(r *http.Request, in receiveIn) (any, *apiError) {
	n := 1
	if in.MaxNumberOfMessages != nil {
		n = *in.MaxNumberOfMessages
	}
	if n < 1 || n > 10 {
		return nil, errInvalid("Value " + strconv.Itoa(n) + " for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.")
	}
	if in.WaitTimeSeconds < 0 || time.Duration(in.WaitTimeSeconds)*time.Second > MaxWait {
		return nil, errInvalid("Value " + strconv.Itoa(in.WaitTimeSeconds) + " for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.")
	}
	vt := s.opts.VisibilityTimeout
	if in.VisibilityTimeout != nil {
		if *in.VisibilityTimeout < 0 || *in.VisibilityTimeout > 43200 {
			return nil, errInvalid("Value for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.")
		}
		vt = time.Duration(*in.VisibilityTimeout) * time.Second
	}
	attrs := append(slices.Clone(in.AttributeNames), in.MessageSystemAttributeNames...)
	var wait <-chan time.Time
	for {
		s.mu.Lock()
		q, err := s.queueByURL(in.QueueURL)
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		out := s.take(q, n, vt, attrs)
		arrived := s.arrived
		s.mu.Unlock()
		if len(out.Messages) > 0 || in.WaitTimeSeconds == 0 {
			return out, nil
		}
		if wait == nil {
			wait = time.After(time.Duration(in.WaitTimeSeconds) * time.Second)
		}
		select {
		case <-arrived:
		case <-wait:
			return out, nil
		case <-r.Context().Done():
			return out, nil
		}
	}
}

// take receives up to n visible messages. Callers hold s.mu.
func (s *Server) take(q *queue, n int, vt time.Duration, attrs []string) receiveOut {
	now := s.opts.Now()
	var out receiveOut
	for _, m := range q.msgs {
		if len(out.Messages) == n {
			break
		}
		if m.visibleAt.After(now) {
			continue
		}
		s.seq++
		m.receives++
		if m.receives == 1 {
			m.firstRecv = now
		}
		m.visibleAt = now.Add(vt)
		m.handle = "rh-" + m.id + "-" + strconv.FormatInt(s.seq, 10)
		out.Messages = append(out.Messages, receivedMessage{
			MessageID: m.id, ReceiptHandle: m.handle, MD5OfBody: md5Hex(m.body), Body: m.body,
			Attributes: attributes(m, attrs),
		})
	}
	return out
}

// attributes are the system attributes asked for ("All" or by name).
func attributes(m *message, names []string) map[string]string {
	all := map[string]string{
		"ApproximateReceiveCount":          strconv.Itoa(m.receives),
		"SentTimestamp":                    strconv.FormatInt(m.sent.UnixMilli(), 10),
		"ApproximateFirstReceiveTimestamp": strconv.FormatInt(m.firstRecv.UnixMilli(), 10),
		"SenderId":                         "AIDAEXAMPLE",
	}
	out := map[string]string{}
	for _, name := range names {
		if name == "All" {
			return all
		}
		if v, ok := all[name]; ok {
			out[name] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
