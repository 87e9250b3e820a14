package copier

import (
	"context"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// testGate releases the waits it is told of once release is closed (nil:
// each wait waits its backoff), gives turns once turn is closed, and
// counts both.
type testGate struct {
	release, turn chan struct{}
	late          bool // the first release comes as Waiting returns
	waits, done   atomic.Int32
	turns         atomic.Int32
}

func (g *testGate) Waiting() (<-chan struct{}, func()) {
	g.waits.Add(1)
	if g.late {
		// Released just after Waiting returned: the copy must still
		// make its attempt.
		g.late = false
		close(g.release)
		return g.release, func() { g.done.Add(1) }
	}
	select {
	case <-g.release:
		return GiveUp, func() { g.done.Add(1) } // released before: its attempt was made
	default:
	}
	return g.release, func() { g.done.Add(1) }
}

func (g *testGate) Turn() (<-chan struct{}, func()) {
	g.turns.Add(1)
	return g.turn, func() {}
}

// A copy with a gate waits for the gate alone: once released it makes one
// more attempt and then fails with the busy answer, unless that attempt
// succeeds; never released, it asks the PBX no more until its deadline; a
// gate that names no release leaves it to the busy retry's backoff. Only
// busy answers consult the gate for a release; only an .mp3's name asks
// it for a turn, before the PBX is asked.
func TestBusyGate(t *testing.T) {
	busy := &yeastar.APIError{Op: "recording/download", Code: yeastar.CodeOverloadTask}
	internal := &yeastar.APIError{Op: "recording/download", Code: yeastar.CodeInternal}
	const never, backoff, late = -1, -2, -3
	tests := []struct {
		name       string
		file       string // the reference's name; "": by id
		linkErrs   []error
		releaseAt  time.Duration // when the gate releases and gives the turn; 0: from the start, never, backoff (no release), late (as the wait starts)
		wantErr    class         // "": copied
		wantWaits  int32         // waits the gate was told of
		wantTurns  int32         // turns asked for
		wantLinks  int
		wantElapse time.Duration // how long the copy took; -1: not checked
	}{
		{"released from the start", "", []error{busy, busy, busy}, 0, retryable, 1, 0, 1, 0},
		{"released as the wait starts: one more attempt", "", []error{busy, busy, busy}, late, retryable, 2, 0, 2, 0},
		{"released during the wait: one more attempt", "", []error{busy, busy, busy}, 5 * time.Second, retryable, 2, 0, 2, 5 * time.Second},
		{"released, and the attempt after succeeds", "", []error{busy}, 5 * time.Second, "", 1, 0, 2, 5 * time.Second},
		{"never released: no more requests until the deadline", "", []error{busy, busy}, never, timeout, 1, 0, 1, -1},
		{"no release named: the backoff", "", []error{busy, busy}, backoff, "", 2, 0, 3, -1},
		{"transient failures do not consult the gate", "", []error{internal, internal}, 0, "", 0, 0, 3, -1},
		{"an .mp3 asks in its turn", "20220412173331-1.mp3", nil, 5 * time.Second, "", 0, 1, 1, 5 * time.Second},
		{"an .mp3 whose turn never comes: busy at the deadline, the PBX not asked", "20220412173331-1.mp3", nil, never, timeout, 0, 1, 0, -1},
		{"a .wav asks at once", "20220412173331-1.wav", nil, never, "", 0, 0, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := newRangePBX(t, 1000)
				p.linkErrs = tt.linkErrs
				opts := quickRetries()
				opts.BusyRetry = recording.RetryPolicy{Attempts: 3, Base: time.Second, Max: 2 * time.Second}
				opts.TransientRetry = recording.RetryPolicy{Attempts: 5}
				g := &testGate{release: make(chan struct{}), turn: make(chan struct{})}
				switch {
				case tt.releaseAt == 0:
					close(g.release)
					close(g.turn)
				case tt.releaseAt > 0:
					time.AfterFunc(tt.releaseAt, func() { close(g.release); close(g.turn) })
				case tt.releaseAt == backoff:
					g.release = nil
				case tt.releaseAt == late:
					g.late = true
				}
				ctx, cancel := context.WithTimeout(WithBusyGate(t.Context(), g), time.Minute)
				defer cancel()
				start := time.Now()

				res, err := newTestCopier(t, p, &hashStore{}, opts).Copy(ctx, recording.Ref{ID: 1727, File: tt.file})
				if tt.wantErr != "" {
					if got := classOf(t, err); got != tt.wantErr || ClassOf(err) != ClassBusy {
						t.Errorf("Copy error = %v (%T), want a %s of the busy class", err, err, tt.wantErr)
					}
				} else if err != nil || res.Bytes != int64(len(p.data)) {
					t.Errorf("Copy = %+v, %v; want the recording copied", res, err)
				}
				if g.waits.Load() != tt.wantWaits || g.done.Load() != tt.wantWaits || g.turns.Load() != tt.wantTurns {
					t.Errorf("gate told of %d waits, %d ended, %d turns; want %d, %d, %d", g.waits.Load(), g.done.Load(), g.turns.Load(), tt.wantWaits, tt.wantWaits, tt.wantTurns)
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
