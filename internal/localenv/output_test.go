package localenv

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
)

// TestEndWatcherCountsEachEndOnce: END lines are counted once each,
// also when a write splits one, and everything is passed on unchanged.
func TestEndWatcherCountsEachEndOnce(t *testing.T) {
	var got strings.Builder
	out := "START RequestId: a\n{\"message\":\"x\"}\nEND RequestId: a\nREPORT\nEND RequestId: b\n"
	for _, cut := range []int{3, 30, 41, 45, 60} { // 41 and 45 fall inside the first END marker
		got.Reset()
		e := newEndWatcher(&got)
		for _, part := range []string{out[:cut], out[cut:]} {
			if _, err := e.Write([]byte(part)); err != nil {
				t.Fatal(err)
			}
		}
		if e.ends != 2 || got.String() != out {
			t.Errorf("cut at %d: %d ends, output %q; want 2 and the output unchanged", cut, e.ends, got.String())
		}
	}
}

// TestWaitEnds returns once enough invocations ended, and when ctx ends.
func TestWaitEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEndWatcher(nil)
		done := make(chan struct{})
		go func() {
			e.waitEnds(t.Context(), 1)
			close(done)
		}()
		synctest.Wait()
		select {
		case <-done:
			t.Fatal("waitEnds returned before any END")
		default:
		}
		if _, err := e.Write([]byte("END RequestId: a\n")); err != nil {
			t.Fatal(err)
		}
		<-done
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		e.waitEnds(ctx, 2) // returns: ctx is done
	})
}
