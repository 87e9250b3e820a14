package localenv

import (
	"strings"
	"sync"
)

// Output collects what the emulator and the function print, safe for the
// concurrent writes of the processes' pipes. Pass it as LambdaOptions.Output;
// after Invoke returns, String holds everything the invocation logged.
type Output struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

// String returns everything written so far.
func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}
