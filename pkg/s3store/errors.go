package s3store

import (
	"errors"
	"net/http"
	"strings"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// The S3 answers this project acts on. Kind names them for every package
// that talks to S3 (this store and the token cache); recording.ClassOf
// decides what each means for a copy.
var (
	// ErrAlreadyExists is returned when the key was written by someone
	// else before this upload completed (the conditional write lost the
	// race).
	ErrAlreadyExists = errors.New("object already exists")
	// ErrNoSuchBucket is the bucket itself missing: a configuration error
	// that no retry can fix.
	ErrNoSuchBucket = errors.New("bucket does not exist")
	// ErrNoSuchKey is a missing object (GetObject's NoSuchKey).
	ErrNoSuchKey = errors.New("object does not exist")
	// ErrAccessDenied is a request S3 refused for who made it: a missing
	// IAM permission or bucket policy (AccessDenied, and a HEAD's bare 403),
	// unknown or wrong credentials (InvalidAccessKeyId,
	// SignatureDoesNotMatch), or the SSE-KMS key (an access-denied on it
	// comes as AccessDenied; a disabled, missing or unusable key as
	// KMS.DisabledException, KMS.NotFoundException, ...). Only a change of
	// configuration fixes it.
	ErrAccessDenied = errors.New("S3 refused access (IAM, credentials or KMS key)")
	// ErrConditionFailed is a conditional write whose condition no longer
	// holds: 412 PreconditionFailed, or a 409 (ConditionalRequestConflict,
	// OperationAborted: a concurrent conditional write to the same key).
	ErrConditionFailed = errors.New("conditional write failed")
)

// deniedCodes are S3 error codes that say the caller may not do what it
// asked, whatever it retries.
var deniedCodes = map[string]bool{
	"AccessDenied":          true,
	"AllAccessDisabled":     true,
	"InvalidAccessKeyId":    true,
	"SignatureDoesNotMatch": true,
}

// transientKMSCodes are the KMS errors S3 passes on that a retry can fix:
// KMS busy or slow, not the key misconfigured.
var transientKMSCodes = map[string]bool{
	"KMS.ThrottlingException":         true,
	"KMS.KMSInternalException":        true,
	"KMS.DependencyTimeoutException":  true,
	"KMS.LimitExceededException":      true,
	"KMS.KeyUnavailableException":     true,
	"KMS.RequestLimitExceeded":        true,
	"KMS.ServiceUnavailableException": true,
}

// Kind returns which of the errors above err is: one of them wrapped, or an
// S3 answer (as the SDK wraps it: an OperationError around a ResponseError
// around a smithy.APIError) that carries its code or, for a bodiless HEAD
// answer, only its HTTP status. Kind returns nil for anything else, which
// includes every network fault and 5xx.
func Kind(err error) error {
	if err == nil {
		return nil
	}
	for _, kind := range []error{ErrNoSuchBucket, ErrNoSuchKey, ErrAccessDenied, ErrConditionFailed} {
		if errors.Is(err, kind) {
			return kind
		}
	}
	code := errorCode(err)
	switch {
	case code == "NoSuchBucket":
		return ErrNoSuchBucket
	case code == "NoSuchKey":
		return ErrNoSuchKey
	case deniedCodes[code], strings.HasPrefix(code, "KMS.") && !transientKMSCodes[code]:
		return ErrAccessDenied
	case code == "PreconditionFailed", code == "ConditionalRequestConflict":
		return ErrConditionFailed
	}
	switch status := statusCode(err); {
	case status == http.StatusPreconditionFailed, status == http.StatusConflict:
		return ErrConditionFailed
	case status == http.StatusForbidden && (code == "" || code == "Forbidden"):
		// A HEAD answer has no body: the SDK names it after its status
		// text. A coded 403 not classified above is something else, such
		// as RequestTimeTooSkewed.
		return ErrAccessDenied
	}
	return nil
}

// errorCode returns the S3 error code carried by err, or "".
func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// statusCode returns the HTTP status of the S3 answer behind err, or 0.
func statusCode(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// isStatus reports whether err is an S3 answer with HTTP status code.
func isStatus(err error, code int) bool { return statusCode(err) == code }

// isPreconditionFailed reports whether err is a 412: an If-None-Match: *
// upload that found the key written.
func isPreconditionFailed(err error) bool {
	return isStatus(err, http.StatusPreconditionFailed) || errorCode(err) == "PreconditionFailed"
}
