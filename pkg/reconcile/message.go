package reconcile

import (
	"context"
	"time"

	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// BatchSender is the recording queue's sender (package queue): errs[i] is
// nil when refs[i] was queued; err is set when the context ended.
type BatchSender interface {
	SendBatch(ctx context.Context, refs []recording.Ref) (errs []error, err error)
}

// RefQueue is the Queue that sends each recording as the message the copy
// function accepts: its ID and file (so that the copy checks the bucket
// before asking the PBX) and what recording/search said about the call.
type RefQueue struct {
	Sender BatchSender
	// PBX is the PBX whose recordings this queue sends: each message names
	// it ("pbx"), but for the default PBX (or ""), whose messages are as
	// they were before there were many.
	PBX string
}

var _ Queue = RefQueue{}

// Enqueue sends items as one batch and returns the indexes not queued.
func (q RefQueue) Enqueue(ctx context.Context, items []yeastar.SearchItem) ([]int, error) {
	refs := make([]recording.Ref, len(items))
	for i, it := range items {
		refs[i] = RefFor(it)
		refs[i].PBX = q.PBX
	}
	errs, err := q.Sender.SendBatch(ctx, refs)
	var failed []int
	var first error
	for i, e := range errs {
		if e != nil {
			failed = append(failed, i)
			first = cmpOr(first, e)
		}
	}
	if len(failed) == len(items) {
		return nil, cmpOr(err, first)
	}
	return failed, nil
}

// cmpOr returns a unless it is nil, else b.
func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// searchTimeLayout is how the PBX's call-end event writes a call's start
// (recording.Call.TimeStart); recording/search writes PBXTimeLayout.
const searchTimeLayout = "2006-01-02 15:04:05"

// RefFor is the reference of one searched recording, with its call's
// details in the form the call-end event gives them, so that an object
// copied on the reconciler's word has the same metadata as one copied on
// the event's.
func RefFor(it yeastar.SearchItem) recording.Ref {
	start := it.Time
	if t, err := time.Parse(yeastar.PBXTimeLayout, it.Time); err == nil {
		start = t.Format(searchTimeLayout) // both are the PBX's local time
	}
	call := recording.Call{TimeStart: start, From: it.CallFrom, To: it.CallTo, Type: it.CallType, UID: it.UID}.Sanitized()
	return recording.Ref{ID: it.ID, File: it.File, Call: &call}
}
