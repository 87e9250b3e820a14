package sqstest

import (
	"crypto/md5" //nolint:gosec // SQS's checksum of a message body is MD5
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// queue is one queue's messages, in the order they were sent.
type queue struct {
	msgs []*message
}

type message struct {
	id        string
	body      string
	attrs     map[string]string // message attributes (String values)
	sent      time.Time
	receives  int
	firstRecv time.Time
	visibleAt time.Time
	handle    string // of the latest receive; only it deletes
}

// queueByURL finds the queue a request names by URL (its last path
// element, as SQS resolves it). Callers hold s.mu.
func (s *Server) queueByURL(url string) (*queue, *apiError) {
	if url == "" {
		return nil, &apiError{Code: "MissingParameter", Query: "MissingParameter", Message: "QueueUrl is required", Sender: true}
	}
	name := url[strings.LastIndexByte(url, '/')+1:]
	q := s.queues[name]
	if q == nil {
		return nil, errNoQueue()
	}
	return q, nil
}

// withQueue runs f, holding s.mu, on the queue a request names by URL.
func (s *Server) withQueue(url string, f func(q *queue) (any, *apiError)) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueByURL(url)
	if err != nil {
		return nil, err
	}
	return f(q)
}

// enqueue adds a message and wakes long polls. Callers hold s.mu.
func (s *Server) enqueue(q *queue, body string) *message {
	s.seq++
	m := &message{id: fmt.Sprintf("00000000-0000-4000-8000-%012d", s.seq), body: body, sent: s.opts.Now()}
	q.msgs = append(q.msgs, m)
	close(s.arrived)
	s.arrived = make(chan struct{})
	return m
}

// md5Hex is the MD5OfMessageBody of body.
func md5Hex(body string) string {
	sum := md5.Sum([]byte(body)) //nolint:gosec // the protocol's checksum
	return hex.EncodeToString(sum[:])
}

// validBody reports whether body holds only the characters SQS allows:
// #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.
func validBody(body string) bool {
	for _, r := range body {
		ok := r == 0x9 || r == 0xA || r == 0xD || r >= 0x20 && r <= 0xD7FF ||
			r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
		if !ok {
			return false
		}
	}
	return true
}
