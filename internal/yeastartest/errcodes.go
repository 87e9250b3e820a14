package yeastartest

import "slices"

// Error codes of the Yeastar OpenAPI that the simulator answers: every code
// of the P-Series error table (docs/yeastar-errors.md). FailAPI answers any
// of them with its errmsg.
const (
	ErrCodeSuccess                  = 0
	ErrCodeInternal                 = -2
	ErrCodeFailure                  = -1
	ErrCodePartialSuccess           = 1
	ErrCodeProcessing               = 2
	ErrCodeInterfaceNotExisted      = 10001
	ErrCodeAPIVersionOutOfMaint     = 10002
	ErrCodeAPIVersionUnsupported    = 10003
	ErrCodeTokenExpired             = 10004
	ErrCodeAccessDenied             = 10005
	ErrCodeParameterSyntax          = 40001
	ErrCodeParameter                = 40002
	ErrCodeDuplicateKey             = 40003
	ErrCodeFileSizeExceeded         = 40004
	ErrCodeDataNotFound             = 60001
	ErrCodeMaxLimitation            = 60002
	ErrCodeRoleNotExisted           = 60101
	ErrCodeAccountIPBlocked         = 70004
	ErrCodeOverloadTask             = 70082
	ErrCodeActionForbidden          = 70084
	ErrCodeIPForbidden              = 70087
	ErrCodeConnectionRelationExists = 70091
	ErrCodePhonebookNotExisted      = 70093
	ErrCodeRateNotExisted           = 70106
	ErrCodeOrganizationDisabled     = 70120
	ErrCodeAPIUnavailable           = 70123
)

// errMsgs maps each documented errcode to the PBX's errmsg.
var errMsgs = map[int]string{
	ErrCodeSuccess:                  "SUCCESS",
	ErrCodeInternal:                 "INTERNAL SERVER ERROR",
	ErrCodeFailure:                  "FAILURE",
	ErrCodePartialSuccess:           "PARTIAL SUCCESS",
	ErrCodeProcessing:               "PROCESSING",
	ErrCodeInterfaceNotExisted:      "INTERFACE NOT EXISTED",
	ErrCodeAPIVersionOutOfMaint:     "API VERSION OUT OF MAINTENANCE",
	ErrCodeAPIVersionUnsupported:    "API VERSION UNSUPPORTED",
	ErrCodeTokenExpired:             "TOKEN EXPIRED",
	ErrCodeAccessDenied:             "ACCESS DENIED",
	ErrCodeParameterSyntax:          "PARAMETER SYNTAX ERROR",
	ErrCodeParameter:                "PARAMETER ERROR",
	ErrCodeDuplicateKey:             "DUPLICATE KEY VALUE",
	ErrCodeFileSizeExceeded:         "FILE SIZE EXCEEDED",
	ErrCodeDataNotFound:             "DATA NOT FOUND",
	ErrCodeMaxLimitation:            "MAX LIMITATION EXCEEDED",
	ErrCodeRoleNotExisted:           "ROLE NOT EXISTED",
	ErrCodeAccountIPBlocked:         "ACCOUNT IP BLOCKED",
	ErrCodeOverloadTask:             "OVERLOAD_TASK_RUNNING",
	ErrCodeActionForbidden:          "ACTION FORBIDDEN",
	ErrCodeIPForbidden:              "IP FORBIDDEN",
	ErrCodeConnectionRelationExists: "CONNECTION_RELATION_EXISTED",
	ErrCodePhonebookNotExisted:      "PHONEBOOK_NOT_EXISTED",
	ErrCodeRateNotExisted:           "RATE_NOT_EXISTED",
	ErrCodeOrganizationDisabled:     "ORGANIZATION DISABLED",
	ErrCodeAPIUnavailable:           "API UNAVAILABLE",
}

// ErrCodes returns every errcode of the table except 0 (SUCCESS), for tests
// that go through all of them.
func ErrCodes() []int {
	codes := make([]int, 0, len(errMsgs))
	for c := range errMsgs {
		if c != ErrCodeSuccess {
			codes = append(codes, c)
		}
	}
	slices.Sort(codes)
	return codes
}

// ErrMsg returns the errmsg a PBX sends with errcode, or "FAILURE" for a code
// the simulator does not know.
func ErrMsg(errcode int) string {
	if msg, ok := errMsgs[errcode]; ok {
		return msg
	}
	return "FAILURE"
}
