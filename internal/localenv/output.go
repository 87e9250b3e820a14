package localenv

import (
	"bytes"
	"context"
	"io"
	"slices"
	"sync"
)

// endMarker starts the line the emulator prints when an invocation ends.
var endMarker = []byte("END RequestId: ")

// endWatcher passes the emulator's output on and counts the END lines it
// prints after each invocation. The function's own log lines travel through
// the same pipe before that line, so once an invocation's END is counted,
// everything it logged has reached the caller's writer: a test reading the
// output after Invoke sees all of it.
type endWatcher struct {
	w       io.Writer
	mu      sync.Mutex
	tail    []byte // the last bytes written, to find a marker split across writes
	ends    int
	changed chan struct{} // closed and replaced when ends grows
}

func newEndWatcher(w io.Writer) *endWatcher {
	if w == nil {
		w = io.Discard
	}
	return &endWatcher{w: w, changed: make(chan struct{})}
}

func (e *endWatcher) Write(p []byte) (int, error) {
	n, err := e.w.Write(p)
	e.mu.Lock()
	defer e.mu.Unlock()
	// The tail is shorter than the marker, so a marker counted here ends
	// in p and is never counted twice.
	buf := slices.Concat(e.tail, p)
	if c := bytes.Count(buf, endMarker); c > 0 {
		e.ends += c
		close(e.changed)
		e.changed = make(chan struct{})
	}
	keep := min(len(buf), len(endMarker)-1)
	e.tail = append(e.tail[:0:0], buf[len(buf)-keep:]...)
	return n, err
}

// waitEnds blocks until n invocations have ended in the output, or ctx ends.
func (e *endWatcher) waitEnds(ctx context.Context, n int) {
	for {
		e.mu.Lock()
		ends, changed := e.ends, e.changed
		e.mu.Unlock()
		if ends >= n {
			return
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return
		}
	}
}
