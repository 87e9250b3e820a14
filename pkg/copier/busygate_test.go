package copier

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// testGate releases the waits it is told of once release is closed, and
// counts them.
type testGate struct {
	release     chan struct{}
	waits, done atomic.Int32
}

func (g *testGate) Waiting() (<-chan struct{}, func()) {
	g.waits.Add(1)
	return g.release, func() { g.done.Add(1) }
}

// A copy with a gate waits for the gate alone: once released it makes one
// more attempt and then fails with the busy answer, unless that attempt
// succeeds; never released, it asks the PBX no more until its deadline.
// Only busy answers consult the gate.
func TestBusyGate(t *testing.T) {
	busy := &yeastar.APIError{Op: "recording/download", Code: yeastar.CodeOverloadTask}
	internal := &yeastar.APIError{Op: "recording/download", Code: yeastar.CodeInternal}
	tests := []struct {
		name       string
		linkErrs   []error
		releaseAt  time.Duration // when the gate releases; 0: from the start, -1: never
		wantErr    class         // "": copied
		wantWaits  int32         // waits the gate was told of
		wantLinks  int
		wantElapse time.Duration // how long the copy took; -1: not checked
	}{
		{"released from the start", []error{busy, busy, busy}, 0, retryable, 1, 1, 0},
		{"released during the wait: one more attempt", []error{busy, busy, busy}, 5 * time.Second, retryable, 2, 2, 5 * time.Second},
		{"released, and the attempt after succeeds", []error{busy}, 5 * time.Second, "", 1, 2, 5 * time.Second},
		{"never released: no more requests until the deadline", []error{busy, busy}, -1, timeout, 1, 1, -1},
		{"transient failures do not consult the gate", []error{internal, internal}, 0, "", 0, 3, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := newRangePBX(t, 1000)
				p.linkErrs = tt.linkErrs
				opts := quickRetries()
				opts.BusyRetry = recording.RetryPolicy{Attempts: 3, Base: time.Second, Max: 2 * time.Second}
				opts.TransientRetry = recording.RetryPolicy{Attempts: 5}
				g := &testGate{release: make(chan struct{})}
				switch {
				case tt.releaseAt == 0:
					close(g.release)
				case tt.releaseAt > 0:
					time.AfterFunc(tt.releaseAt, func() { close(g.release) })
				}
				ctx, cancel := context.WithTimeout(WithBusyGate(t.Context(), g), time.Minute)
				defer cancel()
				start := time.Now()

				res, err := newTestCopier(t, p, &hashStore{}, opts).Copy(ctx, recording.Ref{ID: 1727})
				if tt.wantErr != "" {
					if got := classOf(t, err); got != tt.wantErr || !strings.Contains(err.Error(), "errcode 70082") {
						t.Errorf("Copy error = %v (%T), want a %s naming errcode 70082", err, err, tt.wantErr)
					}
				} else if err != nil || res.Bytes != int64(len(p.data)) {
					t.Errorf("Copy = %+v, %v; want the recording copied", res, err)
				}
				if g.waits.Load() != tt.wantWaits || g.done.Load() != tt.wantWaits {
					t.Errorf("gate told of %d waits, %d ended; want %d each", g.waits.Load(), g.done.Load(), tt.wantWaits)
				}
				if p.links != tt.wantLinks {
					t.Errorf("%d link calls, want %d", p.links, tt.wantLinks)
				}
				if got := time.Since(start); tt.wantElapse >= 0 && got != tt.wantElapse {
					t.Errorf("Copy took %v, want %v", got, tt.wantElapse)
				}
			})
		})
	}
}
