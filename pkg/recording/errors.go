package recording

import "fmt"

// The error types below are what the Lambda runtime reports as errorType,
// so operators can alarm on them and queues retry only what can succeed
// later. Their names are part of the interface: do not rename them. Which
// failure becomes which type is decided in one place, copier.ClassOf.

// InvalidInputError is an event or reference that can never succeed.
type InvalidInputError struct {
	Reason string
}

func (e *InvalidInputError) Error() string { return "invalid input: " + e.Reason }

// PermanentError is a copy that failed for a reason retrying cannot fix:
// bad PBX credentials, a missing PBX or S3 permission, a blocked IP, a
// download link the PBX refuses even fresh, a bucket that does not exist.
type PermanentError struct {
	Ref Ref
	Err error
}

func (e *PermanentError) Error() string { return fmt.Sprintf("recording %s: %v", e.Ref, e.Err) }
func (e *PermanentError) Unwrap() error { return e.Err }

// RetryableError is a copy that failed for a reason that may pass: a
// network fault, a PBX overload, a timeout. Nothing partial was stored.
type RetryableError struct {
	Ref Ref
	Err error
}

func (e *RetryableError) Error() string { return fmt.Sprintf("recording %s: %v", e.Ref, e.Err) }
func (e *RetryableError) Unwrap() error { return e.Err }

// NotYetAvailableError is a recording the PBX does not have (60001), even
// after a few retries: it may not be written yet, so a later retry may pass.
type NotYetAvailableError struct {
	Ref Ref
	Err error
}

func (e *NotYetAvailableError) Error() string {
	return fmt.Sprintf("recording %s: not available on the PBX yet: %v", e.Ref, e.Err)
}
func (e *NotYetAvailableError) Unwrap() error { return e.Err }

// TimeoutError is a copy stopped before the invocation's deadline, early
// enough to abort its upload cleanly. Nothing was stored; retry it, with a
// longer function timeout if it keeps happening.
type TimeoutError struct {
	Ref Ref
	Err error
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("recording %s: stopped before the function's deadline: %v", e.Ref, e.Err)
}
func (e *TimeoutError) Unwrap() error { return e.Err }
