package yeastartest

// Error codes of the Yeastar OpenAPI that the simulator answers.
const (
	ErrCodeSuccess          = 0
	ErrCodeInternal         = -2
	ErrCodeFailure          = -1
	ErrCodeTokenExpired     = 10004
	ErrCodeAccessDenied     = 10005
	ErrCodeParameter        = 40002
	ErrCodeDataNotFound     = 60001
	ErrCodeMaxLimitation    = 60002
	ErrCodeAccountIPBlocked = 70004
	ErrCodeOverloadTask     = 70082
	ErrCodeIPForbidden      = 70087
	ErrCodeAPIUnavailable   = 70123
)

// errMsgs maps each documented errcode to the PBX's errmsg.
var errMsgs = map[int]string{
	ErrCodeSuccess:          "SUCCESS",
	ErrCodeInternal:         "INTERNAL SERVER ERROR",
	ErrCodeFailure:          "FAILURE",
	ErrCodeTokenExpired:     "TOKEN EXPIRED",
	ErrCodeAccessDenied:     "ACCESS DENIED",
	ErrCodeParameter:        "PARAMETER ERROR",
	ErrCodeDataNotFound:     "DATA NOT FOUND",
	ErrCodeMaxLimitation:    "MAX LIMITATION EXCEEDED",
	ErrCodeAccountIPBlocked: "ACCOUNT IP BLOCKED",
	ErrCodeOverloadTask:     "OVERLOAD_TASK_RUNNING",
	ErrCodeIPForbidden:      "IP FORBIDDEN",
	ErrCodeAPIUnavailable:   "API UNAVAILABLE",
}

// ErrMsg returns the errmsg a PBX sends with errcode, or "FAILURE" for a code
// the simulator does not know.
func ErrMsg(errcode int) string {
	if msg, ok := errMsgs[errcode]; ok {
		return msg
	}
	return "FAILURE"
}
