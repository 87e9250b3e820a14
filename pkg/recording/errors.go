package recording

import (
	"errors"
	"fmt"

	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// The error types below are what the Lambda runtime reports as errorType,
// so operators can alarm on them and queues retry only what can succeed
// later. Their names are part of the interface: do not rename them.

// InvalidInputError is an event or reference that can never succeed.
type InvalidInputError struct {
	Reason string
}

func (e *InvalidInputError) Error() string { return "invalid input: " + e.Reason }

// PermanentError is a copy that failed for a reason retrying cannot fix:
// bad credentials, a missing permission, a blocked IP, an unknown recording.
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

// permanentCodes are PBX errcodes no retry can fix (see the OpenAPI notes).
var permanentCodes = map[int]bool{
	yeastar.CodeAccessDenied:   true,
	yeastar.CodeParameterError: true,
	yeastar.CodeIPBlocked:      true,
	yeastar.CodeIPForbidden:    true,
	yeastar.CodeAPIUnavailable: true,
}

// errBadAnswer marks a PBX answer no retry can fix: a recording file name
// that is not a safe single path element.
var errBadAnswer = errors.New("PBX answered a bad file name")

// IsPermanent reports whether err can never succeed on retry.
func IsPermanent(err error) bool {
	var inv *InvalidInputError
	if errors.As(err, &inv) || errors.Is(err, errBadAnswer) {
		return true
	}
	var apiErr *yeastar.APIError
	if errors.As(err, &apiErr) {
		if apiErr.Op == "get_token" && apiErr.Code == yeastar.CodeFailure {
			return true // bad credentials; retrying would get the IP blocked
		}
		return permanentCodes[apiErr.Code]
	}
	return false
}

// classify wraps err in PermanentError or RetryableError; input errors stay
// as they are.
func classify(ref Ref, err error) error {
	var inv *InvalidInputError
	switch {
	case errors.As(err, &inv):
		return inv
	case IsPermanent(err):
		return &PermanentError{Ref: ref, Err: err}
	default:
		return &RetryableError{Ref: ref, Err: err}
	}
}
