package tokencache

import (
	"time"

	"github.com/recording-sync/recording-sync/internal/clocktest"
)

// fakeClock is the injected clock of the tests (Options.Now and
// Options.Sleep); newFakeClock(true) starts it in auto mode.
type fakeClock = clocktest.Clock

func newFakeClock(auto bool) *fakeClock {
	if auto {
		return clocktest.NewAuto(time.Now())
	}
	return clocktest.New(time.Now())
}
