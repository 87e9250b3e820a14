package copyhandler

import (
	"context"
	"errors"
	"maps"
	"strings"
	"sync"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/recording"
)

// deadLetters is a fake DeadLetterQueue: it keeps what it is sent, or
// refuses everything with err.
type deadLetters struct {
	err error

	mu   sync.Mutex
	msgs []deadLetter
	ctxs []context.Context
}

type deadLetter struct {
	body  string
	attrs map[string]string
}

func (d *deadLetters) SendRaw(ctx context.Context, body string, attrs map[string]string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.ctxs = append(d.ctxs, ctx)
	if d.err != nil {
		return d.err
	}
	d.msgs = append(d.msgs, deadLetter{body: body, attrs: maps.Clone(attrs)})
	return nil
}

func (d *deadLetters) sent() []deadLetter {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]deadLetter(nil), d.msgs...)
}

// maskSecret is a Redactor that masks one known secret.
type maskSecret string

func (m maskSecret) String(s string) string { return strings.ReplaceAll(s, string(m), "[REDACTED]") }

const dlqSecret = "s3cr3t-token-value"

// denied is a permanent copy failure whose message carries a secret, which
// the dead letter's attributes must not.
var denied = &recording.PermanentError{Ref: recording.Ref{ID: 2}, Err: errors.New("AccessDenied for token " + dlqSecret)}

func TestDeadLetterMovesPermanentFailures(t *testing.T) {
	dlq := &deadLetters{}
	c := &batchCopier{fail: map[recording.Ref]error{{ID: 2}: denied}}
	bodies := []string{`{"id":1}`, `{"id":2}`, `{"id":"abc"}`}
	opts := &Options{DeadLetters: dlq, Redactor: maskSecret(dlqSecret)}
	out, _, err := invokeBatch(t, t.Context(), c, opts, sqsEvent(bodies...))
	if err != nil {
		t.Fatalf("Invoke = %v", err)
	}
	if want := `{"batchItemFailures":[]}`; string(out) != want {
		t.Errorf("response = %s, want %s: both records are on the dead-letter queue", out, want)
	}
	byBody := map[string]map[string]string{}
	for _, m := range dlq.sent() {
		byBody[m.body] = m.attrs
	}
	if len(byBody) != 2 || len(dlq.sent()) != 2 {
		t.Fatalf("dead letters = %+v, want the bodies of m2 and m3 once each", dlq.sent())
	}
	perm := byBody[`{"id":2}`]
	if perm[AttrErrorType] != "PermanentError" || perm[AttrSourceMessageID] != "m2" {
		t.Errorf("m2 attributes = %v, want errorType PermanentError, sourceMessageId m2", perm)
	}
	if msg := perm[AttrErrorMessage]; !strings.Contains(msg, "AccessDenied") || strings.Contains(msg, dlqSecret) {
		t.Errorf("m2 errorMessage = %q, want the failure without the secret", msg)
	}
	inv := byBody[`{"id":"abc"}`]
	if inv[AttrErrorType] != "InvalidInputError" || inv[AttrSourceMessageID] != "m3" || !strings.Contains(inv[AttrErrorMessage], "invalid input") {
		t.Errorf("m3 attributes = %v, want errorType InvalidInputError naming the invalid input", inv)
	}
}

func TestDeadLetterRefusedKeepsTheRecord(t *testing.T) {
	dlq := &deadLetters{err: errors.New("queue: AccessDenied")}
	c := &batchCopier{fail: map[recording.Ref]error{{ID: 2}: denied}}
	out, lines, err := invokeBatch(t, t.Context(), c, &Options{DeadLetters: dlq}, sqsEvent(`{"id":1}`, `{"id":2}`, `{"id":`))
	if err != nil {
		t.Fatalf("Invoke = %v", err)
	}
	if want := `{"batchItemFailures":[{"itemIdentifier":"m2"},{"itemIdentifier":"m3"}]}`; string(out) != want {
		t.Errorf("response = %s, want %s: a message the dead-letter queue refused stays on the queue", out, want)
	}
	if n := len(dlq.ctxs); n != 2 {
		t.Errorf("%d sends, want 2 (one per failed record)", n)
	}
	found := false
	for _, l := range lines {
		if l["msg"] == "not moved to the dead-letter queue; left to the queue's retries" {
			found = true
		}
	}
	if !found {
		t.Errorf("no log line says the move failed: %v", lines)
	}
}

func TestDeadLetterLeavesRetryableToTheQueue(t *testing.T) {
	dlq := &deadLetters{}
	c := &batchCopier{fail: map[recording.Ref]error{
		{ID: 1}: &recording.RetryableError{Ref: recording.Ref{ID: 1}, Err: errors.New("PBX busy")},
		{ID: 2}: &recording.TimeoutError{Ref: recording.Ref{ID: 2}, Err: context.DeadlineExceeded},
		{ID: 3}: &recording.NotYetAvailableError{Ref: recording.Ref{ID: 3}, Err: errors.New("60001")},
	}}
	out, _, err := invokeBatch(t, t.Context(), c, &Options{DeadLetters: dlq}, sqsEvent(`{"id":1}`, `{"id":2}`, `{"id":3}`))
	if err != nil {
		t.Fatalf("Invoke = %v", err)
	}
	if want := `{"batchItemFailures":[{"itemIdentifier":"m1"},{"itemIdentifier":"m2"},{"itemIdentifier":"m3"}]}`; string(out) != want {
		t.Errorf("response = %s, want %s", out, want)
	}
	if n := len(dlq.ctxs); n != 0 {
		t.Errorf("%d dead letters sent for failures a retry can fix, want 0", n)
	}
}

func TestDeadLetterHonoursTheContext(t *testing.T) {
	dlq := &deadLetters{}
	c := &batchCopier{fail: map[recording.Ref]error{{ID: 1}: denied}}
	type key struct{}
	ctx := context.WithValue(t.Context(), key{}, "invocation")
	if _, _, err := invokeBatch(t, ctx, c, &Options{DeadLetters: dlq}, sqsEvent(`{"id":1}`)); err != nil {
		t.Fatalf("Invoke = %v", err)
	}
	if len(dlq.ctxs) != 1 || dlq.ctxs[0].Value(key{}) != "invocation" {
		t.Errorf("the dead letter was not sent with the invocation's context")
	}
}

func TestDeadLetterNotConfigured(t *testing.T) {
	c := &batchCopier{fail: map[recording.Ref]error{{ID: 1}: denied}}
	out, _, err := invokeBatch(t, t.Context(), c, nil, sqsEvent(`{"id":1}`, `{"id":"abc"}`))
	if err != nil {
		t.Fatalf("Invoke = %v", err)
	}
	if want := `{"batchItemFailures":[{"itemIdentifier":"m1"},{"itemIdentifier":"m2"}]}`; string(out) != want {
		t.Errorf("response = %s, want %s: without a dead-letter queue the queue retries", out, want)
	}
}

func TestTruncateKeepsUTF8(t *testing.T) {
	s := strings.Repeat("é", 600) // 1200 bytes
	got := truncate(s, maxAttrMessage)
	if len(got) > maxAttrMessage || !strings.HasPrefix(s, got) || len(got) < maxAttrMessage-1 {
		t.Errorf("truncate to %d = %d bytes", maxAttrMessage, len(got))
	}
	if strings.ContainsRune(got, '\uFFFD') || !strings.HasSuffix(got, "é") {
		t.Errorf("truncate split a character: %q", got[len(got)-4:])
	}
}
