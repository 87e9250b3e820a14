package sqstest

// FaultCounts counts the injected faults that fired, by kind, so that a
// test can tell a fault that was survived from one that never struck.
type FaultCounts struct {
	Requests  int // requests failed by FailRequests
	Entries   int // messages failed by FailEntries
	Checksums int // answers with a checksum corrupted by CorruptChecksums
}

// Total is the number of faults that fired, of every kind.
func (c FaultCounts) Total() int { return c.Requests + c.Entries + c.Checksums }

// Faults returns how many injected faults have fired so far, of each kind.
func (s *Server) Faults() FaultCounts {
	return FaultCounts{Requests: s.failed.Total(), Entries: s.entries.Total(), Checksums: s.checksums.Total()}
}

// FailRequests makes the next n requests of op (e.g. "SendMessageBatch")
// fail with HTTP status and error code, as throttling (400
// ThrottlingException, 400 RequestThrottled), an outage (500 InternalError,
// 503 ServiceUnavailable) or a permission fault (400 AccessDenied) would.
func (s *Server) FailRequests(op string, n, status int, code string) {
	s.failed.Arm(op, n, &apiError{Code: code, Query: code, Message: "injected fault", Sender: status < 500, Status: status})
}

// FailEntries makes the next n messages sent (by SendMessage, or entries of
// SendMessageBatch, whose other entries succeed) fail with code, as SQS
// reports a per-entry failure. senderFault says whose fault it is.
func (s *Server) FailEntries(n int, code string, senderFault bool) {
	s.entries.Arm("", n, BatchFailure{Code: code, Message: "injected fault", SenderFault: senderFault})
}

// CorruptChecksums makes the MD5OfMessageBody of the next n messages sent
// wrong, as a body damaged in transit would show: the SDK must refuse the
// answer. The messages are queued all the same.
func (s *Server) CorruptChecksums(n int) {
	s.checksums.Arm("", n, struct{}{})
}

// checksum is the MD5OfMessageBody to answer for body.
func (s *Server) checksum(body string) string {
	if _, corrupt := s.checksums.Take(""); corrupt {
		return md5Hex(body + "corrupt")
	}
	return md5Hex(body)
}

// takeFault consumes an armed request fault of op.
func (s *Server) takeFault(op string) *apiError {
	f, _ := s.failed.Take(op)
	return f
}

// takeEntryFault consumes an armed entry fault.
func (s *Server) takeEntryFault() *BatchFailure {
	if f, ok := s.entries.Take(""); ok {
		return &f
	}
	return nil
}

// FaultsFired returns how many requests of op failed with a fault
// FailRequests armed: a test that injects one checks that it was the
// fault, not something else, that its client met.
func (s *Server) FaultsFired(op string) int { return s.failed.Fired(op) }

// EntryFaultsFired returns how many messages failed with a fault
// FailEntries armed.
func (s *Server) EntryFaultsFired() int { return s.entries.Total() }
