package reconcile

import (
	"fmt"
	"time"

	"github.com/recording-sync/recording-sync/pkg/recording"
)

// Window is the span of recording times a run covers, both ends included
// (the PBX's start_time and end_time, whole seconds).
type Window struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// newWindow truncates from and to to whole seconds, as the PBX compares
// them, and refuses an empty or inverted span.
func newWindow(from, to time.Time) (Window, error) {
	w := Window{From: from.Truncate(time.Second).UTC(), To: to.Truncate(time.Second).UTC()}
	if w.To.Before(w.From) {
		return Window{}, &recording.InvalidInputError{Reason: fmt.Sprintf("from %s is after to %s", from.Format(time.RFC3339), to.Format(time.RFC3339))}
	}
	return w, nil
}

// equal reports whether w and o are the same span.
func (w Window) equal(o Window) bool { return w.From.Equal(o.From) && w.To.Equal(o.To) }

// String is "FROM..TO" in RFC 3339.
func (w Window) String() string {
	return w.From.Format(time.RFC3339) + ".." + w.To.Format(time.RFC3339)
}
