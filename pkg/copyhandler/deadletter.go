package copyhandler

import (
	"context"
	"errors"
	"log/slog"
	"unicode/utf8"

	"github.com/recording-sync/recording-sync/pkg/lambdafn"
	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/trigger"
)

// DeadLetterQueue takes the SQS messages no retry can process, unchanged,
// with attributes saying why. *queue.Sender implements it.
type DeadLetterQueue interface {
	SendRaw(ctx context.Context, body string, attrs map[string]string) error
}

// The message attributes of a message moved to the dead-letter queue.
const (
	AttrErrorType       = "errorType"       // the failure's errorType, as the table in the README names it
	AttrErrorMessage    = "errorMessage"    // the failure, redacted and cut to maxAttrMessage bytes
	AttrSourceMessageID = "sourceMessageId" // the message's ID on the recording queue
)

// maxAttrMessage bounds the error message carried along: the attributes
// count toward SQS's message size, and the body must still fit.
const maxAttrMessage = 1024

// neverRetry reports whether err is a failure no redelivery can fix: a
// PermanentError or an InvalidInputError. Every other failure (and a
// panic) is left to the queue's retries.
func neverRetry(err error) bool {
	var perm *recording.PermanentError
	var inv *recording.InvalidInputError
	return errors.As(err, &perm) || errors.As(err, &inv)
}

// deadLetter moves rec, which failed with err, straight to the dead-letter
// queue when the failure can never succeed and a queue is configured. It
// reports whether rec is settled: false means rec must be reported as a
// failed item, so that the queue keeps it (a message is never lost).
func (h *Handler) deadLetter(ctx context.Context, rec trigger.Record, err error) bool {
	if h.dlq == nil || !neverRetry(err) {
		return false
	}
	typ := lambdafn.ErrorType(err)
	attrs := map[string]string{
		AttrErrorType:       typ,
		AttrErrorMessage:    truncate(h.redact.String(err.Error()), maxAttrMessage),
		AttrSourceMessageID: rec.MessageID,
	}
	logAttrs := []any{slog.String("trigger", string(trigger.KindSQS)), slog.String("messageId", rec.MessageID)}
	if serr := h.dlq.SendRaw(ctx, rec.Body, attrs); serr != nil {
		// The line reports the send's failure; the record's own is
		// recordErrorType.
		h.log.ErrorContext(ctx, "not moved to the dead-letter queue; left to the queue's retries",
			append(logAttrs, append(lambdafn.ErrorAttrs(serr), slog.String("recordErrorType", typ))...)...)
		return false
	}
	logAttrs = append(logAttrs, slog.String("errorType", typ))
	h.log.InfoContext(ctx, "moved to the dead-letter queue", logAttrs...)
	return true
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Redactor masks secrets in text (see package redact).
type Redactor interface {
	String(s string) string
}

// identity is the Redactor used when none is given.
type identity struct{}

func (identity) String(s string) string { return s }
