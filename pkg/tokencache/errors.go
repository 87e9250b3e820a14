package tokencache

import (
	"fmt"
	"time"
)

// WaitError is returned when ctx ends while AccessToken waits: for another
// instance's renewal, or for a free PBX token slot after 60002 MAX
// LIMITATION EXCEEDED. It matches ctx's error, and the PBX error that made
// it wait, if any, with errors.Is.
type WaitError struct {
	For   string // what was awaited, e.g. "another instance's token renewal"
	Err   error  // the context's error
	Cause error  // the PBX error that made it wait, or nil
}

func (e *WaitError) Error() string {
	msg := fmt.Sprintf("tokencache: gave up waiting for %s: %v", e.For, e.Err)
	if e.Cause != nil {
		msg += fmt.Sprintf(" (after %v)", e.Cause)
	}
	return msg
}

// Unwrap returns the context's error and the cause.
func (e *WaitError) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.Cause}
}

// LoginBlockedError is returned while another instance's get_token failed
// with bad credentials (errcode -1) and the lease it left forbids retrying:
// every failed login counts towards the PBX blocking the IP. It unwraps to
// that *yeastar.APIError.
type LoginBlockedError struct {
	Until time.Time // no instance tries get_token before then
	Err   error     // the *yeastar.APIError, code -1
}

func (e *LoginBlockedError) Error() string {
	return fmt.Sprintf("tokencache: another instance's login failed, not retrying before %s: %v",
		e.Until.UTC().Format(time.RFC3339), e.Err)
}

func (e *LoginBlockedError) Unwrap() error { return e.Err }
