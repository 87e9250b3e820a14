// Package fault is the list of injected faults the test endpoints share
// (the SQS and Secrets Manager endpoints, the S3 fault proxy): what a test
// armed, which requests it strikes, and how many times it fired, so that a
// test can assert that the fault it injected is what its client met.
package fault

import "sync"

// Every is the count of a fault armed until Disarm.
const Every = -1

// List is the faults armed on one endpoint, each a value F (the error to
// answer, say), by key (an operation, a part number, or "" for any). The
// zero List is empty and ready; it is safe for concurrent use, and its
// lock is never held while calling out, so callers may hold their own.
type List[F any] struct {
	mu    sync.Mutex
	armed []armed[F]
	fired map[string]int
}

type armed[F any] struct {
	key  string
	left int // Every: until Disarm
	f    F
}

// Arm makes f strike the next n requests of key (n == Every: every one
// until Disarm), after the faults already armed for key.
func (l *List[F]) Arm(key string, n int, f F) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.armed = append(l.armed, armed[F]{key: key, left: n, f: f})
}

// Disarm drops every armed fault; those that fired stay counted.
func (l *List[F]) Disarm() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.armed = nil
}

// Take returns the first fault armed for key that has strikes left, and
// counts it as fired; false when none is armed.
func (l *List[F]) Take(key string) (F, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range l.armed {
		if a := &l.armed[i]; a.key == key && a.left != 0 {
			if a.left > 0 {
				a.left--
			}
			if l.fired == nil {
				l.fired = map[string]int{}
			}
			l.fired[key]++
			return a.f, true
		}
	}
	var none F
	return none, false
}

// Fired is how many faults of key fired.
func (l *List[F]) Fired(key string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.fired[key]
}

// Total is how many faults fired, of every key.
func (l *List[F]) Total() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, k := range l.fired {
		n += k
	}
	return n
}
