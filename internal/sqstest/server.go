package sqstest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/recording-sync/recording-sync/internal/fault"
)

// MaxMessageSize is the largest message body SQS accepts by default, and
// the largest total of one SendMessageBatch.
const MaxMessageSize = 256 << 10

// AccountID is the account in the queue URLs this server hands out.
const AccountID = "000000000000"

// Options are the optional settings of a Server.
type Options struct {
	// Now is the server's clock, which visibility timeouts follow; default
	// time.Now. Tests inject one to expire a visibility timeout.
	Now func() time.Time
	// VisibilityTimeout is the queues' default; default 30s.
	VisibilityTimeout time.Duration
}

// Server is a running SQS endpoint with its queues.
type Server struct {
	srv  *httptest.Server
	opts Options

	mu       sync.Mutex
	queues   map[string]*queue // by name
	seq      int64             // message and receipt handle numbers
	requests map[string]int    // by operation
	arrived  chan struct{}     // closed and replaced when a message is sent

	failed    fault.List[*apiError]    // FailRequests, by operation
	entries   fault.List[BatchFailure] // FailEntries
	checksums fault.List[struct{}]     // CorruptChecksums
}

// New starts a server on a loopback port; Close stops it.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.VisibilityTimeout <= 0 {
		opts.VisibilityTimeout = 30 * time.Second
	}
	s := &Server{opts: opts, queues: map[string]*queue{}, requests: map[string]int{}, arrived: make(chan struct{})}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL is the endpoint, for AWS_ENDPOINT_URL_SQS or the client's BaseEndpoint.
func (s *Server) URL() string { return s.srv.URL }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// CreateQueue creates the queue name if needed and returns its URL.
func (s *Server) CreateQueue(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.queues[name]; !ok {
		s.queues[name] = &queue{}
	}
	return s.queueURL(name)
}

func (s *Server) queueURL(name string) string { return s.srv.URL + "/" + AccountID + "/" + name }

// Requests returns how many requests of operation op (e.g. "SendMessageBatch")
// the server answered, failed ones included.
func (s *Server) Requests(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[op]
}

// Message is a message held by a queue.
type Message struct {
	ID           string
	Body         string
	ReceiveCount int
	Sent         time.Time
	Visible      bool              // not in flight
	Attributes   map[string]string // its message attributes (String values)
}

// Messages returns the messages queue name holds (sent, not deleted), in
// the order they were sent.
func (s *Server) Messages(name string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queues[name]
	if q == nil {
		return nil
	}
	now := s.opts.Now()
	out := make([]Message, len(q.msgs))
	for i, m := range q.msgs {
		out[i] = Message{ID: m.id, Body: m.body, ReceiveCount: m.receives, Sent: m.sent, Visible: !m.visibleAt.After(now), Attributes: m.attrs}
	}
	return out
}

// serve answers one request; the target header names the operation.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS.")
	switch {
	case r.Method != http.MethodPost || r.URL.Path != "/":
		writeError(w, &apiError{Code: "UnsupportedOperation", Message: "POST / only", Sender: true})
		return
	case !ok:
		writeError(w, &apiError{Code: "UnknownOperationException", Message: "missing or unknown X-Amz-Target", Sender: true})
		return
	case !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json-1.0"):
		writeError(w, &apiError{Code: "InvalidParameterValue", Message: "Content-Type must be application/x-amz-json-1.0", Sender: true})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 2*MaxMessageSize))
	if err != nil {
		return // the client went away
	}
	s.mu.Lock()
	s.requests[op]++
	ferr := s.takeFault(op)
	s.mu.Unlock()
	if ferr != nil {
		writeError(w, ferr)
		return
	}
	out, aerr := s.dispatch(r, op, body)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	b, err := json.Marshal(out)
	if err != nil {
		writeError(w, &apiError{Code: "InternalError", Message: err.Error(), Sender: false})
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amzn-Requestid", fmt.Sprintf("req-%d", time.Now().UnixNano()))
	_, _ = w.Write(b) // a client that went away gets nothing more
}

// dispatch decodes the request of op and runs it.
func (s *Server) dispatch(r *http.Request, op string, body []byte) (any, *apiError) {
	switch op {
	case "SendMessage":
		return decodeRun(body, s.sendMessage)
	case "SendMessageBatch":
		return decodeRun(body, s.sendMessageBatch)
	case "ReceiveMessage":
		return decodeRun(body, func(in receiveIn) (any, *apiError) { return s.receiveMessage(r, in) })
	case "DeleteMessage":
		return decodeRun(body, s.deleteMessage)
	case "DeleteMessageBatch":
		return decodeRun(body, s.deleteMessageBatch)
	case "ChangeMessageVisibility":
		return decodeRun(body, s.changeVisibility)
	case "GetQueueUrl":
		return decodeRun(body, s.getQueueURL)
	default:
		return nil, &apiError{Code: "UnsupportedOperation", Message: "operation " + op + " is not supported by this endpoint", Sender: true}
	}
}

// decodeRun decodes body into In and runs f.
func decodeRun[In any](body []byte, f func(In) (any, *apiError)) (any, *apiError) {
	var in In
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, &apiError{Code: "SerializationException", Message: "cannot decode the request body", Sender: true}
	}
	return f(in)
}
