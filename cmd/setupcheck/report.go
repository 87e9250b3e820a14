package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/recording-sync/recording-sync/pkg/redact"
)

// status is the outcome of one step.
type status string

const (
	statusOK   status = "ok"
	statusWarn status = "warn"
	statusFail status = "FAIL"
)

// worse returns the worse of a and b.
func worse(a, b status) status {
	rank := map[status]int{statusOK: 0, statusWarn: 1, statusFail: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// reporter writes one line per step, every line through the redactor, and
// remembers whether a step failed.
type reporter struct {
	w      io.Writer
	red    *redact.Redactor
	failed bool
}

// step writes the line of one step: its status, its name, what it saw and,
// when it did not pass, what to do.
func (r *reporter) step(st status, name, saw, fix string) {
	if st == statusFail {
		r.failed = true
	}
	line := fmt.Sprintf("%-4s  %-18s  %s", st, name, oneLine(saw))
	if fix != "" && st != statusOK {
		line += "  -> " + oneLine(fix)
	}
	_, _ = fmt.Fprintln(r.w, r.red.String(line)) // the report goes to a terminal: nothing to do if it fails
}

// oneLine keeps a message on one line: error texts may span several.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// section writes a blank line, then heading, then the lines of a section
// written by a reporter of its own (already redacted).
func (r *reporter) section(heading, lines string) {
	_, _ = fmt.Fprintf(r.w, "\n%s\n%s", r.red.String(heading), lines) // as in step
}

// gap writes a blank line, after the last section.
func (r *reporter) gap() { _, _ = fmt.Fprintln(r.w) }
