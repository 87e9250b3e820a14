package reconcile

import "fmt"

// IncompleteError is a run stopped by a failure (the PBX, S3 or the queue,
// or its state that could not be read) before its window was done. What
// it did is in Result, its cursor was saved when Saved is set: the next
// run continues from there. An invocation the reconciler cannot act on is
// a *recording.InvalidInputError instead, the name the copy function gives
// bad input.
type IncompleteError struct {
	Result Result
	Saved  bool
	Err    error
}

func (e *IncompleteError) Error() string {
	return fmt.Sprintf("reconcile %s: stopped after %d pages: %v", e.Result.Window, e.Result.Pages, e.Err)
}

func (e *IncompleteError) Unwrap() error { return e.Err }

// PagingError stops a window the PBX pages wrong (a page that repeats
// recordings already seen in the window, or holds more rows than asked or
// than its own total_number), or a run that reached its cap of pages or
// messages (Options.MaxPages, MaxQueued). The run fails, so that it
// alarms, with its cursor saved.
type PagingError struct {
	Window Window
	Page   int
	Reason string
}

func (e *PagingError) Error() string {
	return fmt.Sprintf("window %s page %d: %s", e.Window, e.Page, e.Reason)
}
