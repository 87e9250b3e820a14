package main

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

// stuckFunction answers every invocation like a reconcile run that did
// not complete its window.
type stuckFunction struct{ calls int }

func (f *stuckFunction) Invoke(context.Context, []byte) ([]byte, error) {
	f.calls++
	if f.calls > 2*maxReconcileRuns {
		return nil, errors.New("invoked without end")
	}
	return []byte(`{"window":{"from":"2022-04-01T00:00:00Z","to":"2022-06-01T00:00:00Z"},"listed":0,"complete":false,"cursor":{"page":1}}`), nil
}

func TestReconcileUntilCompleteIsBounded(t *testing.T) {
	fn := &stuckFunction{}
	err := reconcileUntilComplete(t.Context(), fn, io.Discard, "2022-04-01T00:00:00Z", "2022-06-01T00:00:00Z")
	if err == nil || !strings.Contains(err.Error(), "not complete after 100 runs") {
		t.Fatalf("error %v, want one saying the window is not complete after 100 runs", err)
	}
	if fn.calls != maxReconcileRuns {
		t.Errorf("%d runs, want %d", fn.calls, maxReconcileRuns)
	}
}
