package reconcile

import "fmt"

// InputError is an invocation the reconciler cannot act on: an unknown
// event shape, an unknown field, an unparsable time, from after to. The
// Lambda runtime reports its type name as errorType.
type InputError struct {
	Reason string
}

func (e *InputError) Error() string { return "invalid input: " + e.Reason }

// IncompleteError is a run stopped by a failure (the PBX, S3 or the queue)
// before its window was done. What it did is in Result, its cursor was
// saved when Saved is set: the next run continues from there.
type IncompleteError struct {
	Result Result
	Saved  bool
	Err    error
}

func (e *IncompleteError) Error() string {
	return fmt.Sprintf("reconcile %s: stopped after %d pages: %v", e.Result.Window, e.Result.Pages, e.Err)
}

func (e *IncompleteError) Unwrap() error { return e.Err }
