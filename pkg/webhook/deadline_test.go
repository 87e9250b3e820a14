package webhook_test

import (
	"context"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/webhook"
)

// stuckSender never answers: it waits for its context to end.
type stuckSender struct{ deadline time.Time }

func (s *stuckSender) Send(ctx context.Context, _ recording.Ref) error {
	s.deadline, _ = ctx.Deadline()
	<-ctx.Done()
	return ctx.Err()
}

// TestAnswersBeforeTheDeadline: a queue that does not answer gets a 503
// before the invocation's deadline, not a function killed at it.
func TestAnswersBeforeTheDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &stuckSender{}
		h, logs := newHandler(t, s)
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		invocationDeadline, _ := ctx.Deadline()
		resp, _ := h.Handle(ctx, request("POST", withRecord, webhook.Sign([]byte(withRecord), secret)))
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("status %d, want 503 (log %s)", resp.StatusCode, logs)
		}
		if ctx.Err() != nil {
			t.Error("the answer came after the invocation's deadline")
		}
		if !s.deadline.Before(invocationDeadline) {
			t.Errorf("the send's deadline %v is not before the invocation's %v", s.deadline, invocationDeadline)
		}
	})
}
