package reconcile_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/reconcile"
)

// TestFirmwareWithoutSearchFailsTheRun: a PBX whose firmware lacks
// recording/search (10001) or the API version (10003) fails the run at the
// first page, without retries, with an error that says what the PBX needs.
func TestFirmwareWithoutSearchFailsTheRun(t *testing.T) {
	for _, code := range []int{yeastartest.ErrCodeInterfaceNotExisted, yeastartest.ErrCodeAPIVersionUnsupported} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			e := newEnv(t, yeastartest.Options{})
			start := time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)
			e.add(start, time.Minute, 1, 5, nil)
			e.sim.FailAPI("recording/search", code, 100)
			res, err := e.reconciler(nil).Run(t.Context(), window(t, start, start.Add(time.Hour)))
			var inc *reconcile.IncompleteError
			if !errors.As(err, &inc) || res.Complete {
				t.Fatalf("run: %+v %v, want an IncompleteError", res, err)
			}
			if msg := err.Error(); !strings.Contains(msg, "firmware") || !strings.Contains(msg, "recording/search") || !strings.Contains(msg, fmt.Sprint(code)) {
				t.Errorf("the run's error %q does not name the firmware requirement", msg)
			}
			if n := e.sim.Stats().APIRequests["recording/search"]; n != 1 {
				t.Errorf("%d searches answered %d: a firmware without the endpoint must not be retried", n, code)
			}
			if got := e.queue.ids(); len(got) != 0 {
				t.Errorf("queued %v from a failed search", got)
			}
		})
	}
}
