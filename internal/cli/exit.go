package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// Exit returns the exit code for what a command's run returned, printing
// the error after the command's name to stderr first: 0 for nil or
// flag.ErrHelp (the flag package printed the usage), the code of an error
// that has one (an ExitCode() int method, as ExitCode and usage errors),
// 1 for any other. An error with an empty message prints nothing.
func Exit(name string, err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if msg := err.Error(); msg != "" {
		_, _ = fmt.Fprintln(stderr, name+":", msg) // nothing is left to tell of a failed write
	}
	var c interface{ ExitCode() int }
	if errors.As(err, &c) {
		return c.ExitCode()
	}
	return 1
}

// ExitCode ends a command that has already said what there was to say
// with the given exit code.
type ExitCode int

func (c ExitCode) Error() string { return "" }

// ExitCode returns c.
func (c ExitCode) ExitCode() int { return int(c) }

// UsageError is a bad command line: exit code 2.
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

// ExitCode returns 2.
func (UsageError) ExitCode() int { return 2 }
