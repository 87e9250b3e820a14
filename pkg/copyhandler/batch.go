package copyhandler

import (
	"context"
	"log/slog"
	"sync"

	"github.com/aws/aws-lambda-go/events"

	"github.com/recording-sync/recording-sync/pkg/lambdafn"
	"github.com/recording-sync/recording-sync/pkg/metrics"
	"github.com/recording-sync/recording-sync/pkg/trigger"
)

// batch copies the records of an SQS batch, at most h.concurrency at once,
// and names the failed ones so that the queue retries only those. A record
// that can never succeed is moved to the dead-letter queue instead, when
// one is configured and takes it (deadLetter). The copies from one PBX
// take turns at asking for an .mp3 or asking again after a busy answer
// (handback.go); one refused in its turn on its first receives is handed
// back to the queue and named as failed too, to be received again.
func (h *Handler) batch(ctx context.Context, records []trigger.Record) events.SQSEventResponse {
	failed := make([]bool, len(records))
	sem := make(chan struct{}, h.concurrency)
	gates := busyGates{}
	var wg sync.WaitGroup
	for i, rec := range records {
		attrs := []any{slog.String("trigger", string(trigger.KindSQS)), slog.String("messageId", rec.MessageID)}
		if rec.Err != nil {
			attrs = append(attrs, lambdafn.ErrorAttrs(rec.Err)...)
			h.log.ErrorContext(ctx, "invalid message", append(attrs, h.failedMetrics(rec.Err, "")...)...)
			failed[i] = !h.deadLetter(ctx, rec, rec.Err)
			continue
		}
		if !acquire(ctx, sem) {
			h.logNotStarted(ctx, rec, attrs)
			failed[i] = true
			continue
		}
		gate := gates.of(rec)
		gate.start()
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			defer gate.finish()
			if _, err := h.item(ctx, rec.Item, h.waiter(gate, rec), attrs...); err != nil {
				failed[i] = !h.deadLetter(ctx, rec, err)
			}
		}()
	}
	wg.Wait()
	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	for i, f := range failed {
		if f {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: records[i].MessageID})
		}
	}
	return resp
}

// logNotStarted reports a record left unstarted because ctx ended, with
// the failure its copy would have reported (notStarted) and its PBX.
func (h *Handler) logNotStarted(ctx context.Context, rec trigger.Record, attrs []any) {
	err := notStarted(ctx, rec)
	pbx := ""
	if rec.Item.Ref != nil { // nil: nothing to copy, no PBX named
		pbx = h.linePBX(*rec.Item.Ref)
	}
	if pbx != "" {
		attrs = append(attrs, slog.String(metrics.DimPBX, pbx))
	}
	attrs = append(attrs, lambdafn.ErrorAttrs(err)...)
	h.log.ErrorContext(ctx, "recording not copied", append(attrs, h.failedMetrics(err, pbx)...)...)
}

// acquire takes a slot in sem unless ctx is done. A done ctx wins even when
// a slot is free: select picks at random among ready cases, so without the
// second check records would still start after the invocation's deadline.
func acquire(ctx context.Context, sem chan struct{}) bool {
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return false
	}
	if ctx.Err() != nil {
		<-sem
		return false
	}
	return true
}
