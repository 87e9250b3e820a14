package main

import (
	"fmt"
	"io"
	"time"
)

// progress prints a backfill's progress line after each run of its
// window, with an estimate of the time left.
type progress struct {
	out      io.Writer
	window   string
	now      func() time.Time
	start    time.Time
	baseDone int       // done when the measured stretch began
	baseAt   time.Time // when it began
	runs     int
}

func newProgress(out io.Writer, from, to string, now func() time.Time) *progress {
	t := now()
	return &progress{out: out, window: from + ".." + to, now: now, start: t, baseAt: t}
}

// run reports a run that left the window at done of total recordings,
// queued having been queued by all its runs so far. The rate is measured
// from the first run's answer on, since the first run may continue a
// window earlier runs began (until then it is taken from zero).
func (p *progress) run(done, total, queued int, complete bool) error {
	p.runs++
	t := p.now()
	line := fmt.Sprintf("window %s: run %d, %d of %d recordings", p.window, p.runs, done, total)
	if total > 0 {
		line += fmt.Sprintf(" (%d%%)", done*100/total)
	}
	line += fmt.Sprintf(", %d queued, %s elapsed", queued, t.Sub(p.start).Round(time.Second))
	switch {
	case complete:
		line += ", complete"
	case done > p.baseDone && total > done:
		left := time.Duration(float64(t.Sub(p.baseAt)) * float64(total-done) / float64(done-p.baseDone))
		line += ", about " + left.Round(time.Second).String() + " left"
	default:
		line += ", time left not known yet"
	}
	if p.runs == 1 {
		p.baseDone, p.baseAt = done, t
	}
	_, err := fmt.Fprintln(p.out, line)
	return err
}
