package yeastar

import (
	"errors"
	"fmt"
)

// PBX error codes: every code of Yeastar's P-Series OpenAPI error table
// (docs/yeastar-errors.md has the table, its source and what a copy does
// about each; copier.ClassOf decides it).
const (
	CodeInternal                 = -2    // INTERNAL SERVER ERROR
	CodeFailure                  = -1    // FAILURE: bad credentials on get_token
	CodePartialSuccess           = 1     // PARTIAL SUCCESS
	CodeProcessing               = 2     // PROCESSING: the request is still being processed
	CodeInterfaceNotExisted      = 10001 // INTERFACE NOT EXISTED: the firmware lacks the endpoint
	CodeAPIVersionOutOfMaint     = 10002 // API VERSION OUT OF MAINTENANCE
	CodeAPIVersionUnsupported    = 10003 // API VERSION UNSUPPORTED: the firmware lacks the API version
	CodeTokenExpired             = 10004 // TOKEN EXPIRED: renew the token and retry once
	CodeAccessDenied             = 10005 // ACCESS DENIED: the API app lacks a permission
	CodeParameterSyntax          = 40001 // PARAMETER SYNTAX ERROR
	CodeParameterError           = 40002 // PARAMETER ERROR: bad id, file or request
	CodeDuplicateKey             = 40003 // DUPLICATE KEY VALUE
	CodeFileSizeExceeded         = 40004 // FILE SIZE EXCEEDED
	CodeDataNotFound             = 60001 // DATA NOT FOUND: unknown recording, or not written yet
	CodeMaxLimitation            = 60002 // MAX LIMITATION EXCEEDED: the 8-token cap is reached
	CodeRoleNotExisted           = 60101 // ROLE NOT EXISTED
	CodeIPBlocked                = 70004 // ACCOUNT IP BLOCKED: too many failed logins
	CodeOverloadTask             = 70082 // OVERLOAD_TASK_RUNNING: one mp3 download at a time
	CodeActionForbidden          = 70084 // ACTION FORBIDDEN
	CodeIPForbidden              = 70087 // IP FORBIDDEN: egress IP not allow-listed
	CodeConnectionRelationExists = 70091 // CONNECTION_RELATION_EXISTED
	CodePhonebookNotExisted      = 70093 // PHONEBOOK_NOT_EXISTED
	CodeRateNotExisted           = 70106 // RATE_NOT_EXISTED
	CodeOrganizationDisabled     = 70120 // ORGANIZATION DISABLED
	CodeAPIUnavailable           = 70123 // API UNAVAILABLE: the API feature is disabled
)

// MissingEndpoint reports whether code says the PBX's firmware lacks the
// endpoint or the API version asked for (10001, 10003): only another
// firmware can change the answer.
func MissingEndpoint(code int) bool {
	return code == CodeInterfaceNotExisted || code == CodeAPIVersionUnsupported
}

// APIError is a PBX answer with a non-zero errcode.
type APIError struct {
	Op      string // the endpoint, e.g. "recording/download" or "download"
	Code    int    // the PBX errcode
	Message string // the PBX errmsg
}

func (e *APIError) Error() string {
	if MissingEndpoint(e.Code) {
		return fmt.Sprintf("yeastar %s: errcode %d (%s): the PBX firmware does not offer %s in OpenAPI v1.0; it needs a firmware upgrade", e.Op, e.Code, e.Message, e.Op)
	}
	return fmt.Sprintf("yeastar %s: errcode %d (%s)", e.Op, e.Code, e.Message)
}

// Is reports whether target is an *APIError with the same Code, so that
// errors.Is(err, &APIError{Code: CodeTokenExpired}) matches any operation.
func (e *APIError) Is(target error) bool {
	t, ok := target.(*APIError)
	return ok && t.Code == e.Code && (t.Op == "" || t.Op == e.Op)
}

// ErrorCode returns the PBX errcode carried by err, if any.
func ErrorCode(err error) (int, bool) {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Code, true
	}
	return 0, false
}

// HTTPError is an HTTP status the PBX should not have answered.
type HTTPError struct {
	Op         string
	StatusCode int
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("yeastar %s: unexpected HTTP status %d", e.Op, e.StatusCode)
}

// ContentError is a download answered with something that is not a
// recording (an HTML page, an unknown JSON body, a missing length). The body
// itself is never included: it may echo request details.
type ContentError struct {
	Op          string
	ContentType string
	Reason      string
	Err         error // a sentinel such as ErrForeignURL, or nil
}

// Unwrap returns the sentinel behind the error, if any.
func (e *ContentError) Unwrap() error { return e.Err }

// ErrForeignURL is a download URL or redirect that leaves the PBX's origin
// (scheme, host and port). It is refused before any request is sent to it,
// so the access token never leaves the PBX; no retry can fix it.
var ErrForeignURL = errors.New("URL is not on the PBX's origin")

func (e *ContentError) Error() string {
	return fmt.Sprintf("yeastar %s: not a recording (Content-Type %q): %s", e.Op, e.ContentType, e.Reason)
}
