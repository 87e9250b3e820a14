package s3store

import (
	"errors"
	"net/http"
	"strings"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// ErrAlreadyExists is returned when the key was written by someone else
// before this upload completed (the conditional write lost the race).
var ErrAlreadyExists = errors.New("object already exists")

// ErrNoSuchBucket is returned when the bucket itself does not exist: a
// configuration error that no retry can fix.
var ErrNoSuchBucket = errors.New("bucket does not exist")

// Kind names an S3 answer this project acts on. KindOf tells them apart for
// every package that talks to S3 (this store, sealedobj, the reconciler);
// recording.ClassOf decides what each means for a copy.
type Kind int

// The kinds of S3 answers.
const (
	// Other is anything else: a network fault, a 5xx, throttling, success.
	Other Kind = iota
	// NoSuchBucket is the bucket itself missing, or ErrNoSuchBucket.
	NoSuchBucket
	// NoSuchKey is a missing object: GetObject's NoSuchKey, or a HEAD's
	// bodiless 404 (which a missing bucket answers too: Store.Exists
	// tells them apart).
	NoSuchKey
	// AccessDenied is a request S3 refused for who made it: a missing IAM
	// permission or bucket policy (AccessDenied, and a HEAD's bare 403),
	// unknown or wrong credentials (InvalidAccessKeyId,
	// SignatureDoesNotMatch), or the SSE-KMS key (an access-denied on it
	// comes as AccessDenied; a disabled, missing or unusable key as
	// KMS.DisabledException, KMS.NotFoundException, ...). Only a change of
	// configuration fixes it.
	AccessDenied
	// ConditionFailed is a conditional write whose condition no longer
	// holds: 412 PreconditionFailed, or a 409 (ConditionalRequestConflict,
	// OperationAborted: a concurrent conditional write to the same key).
	ConditionFailed
)

// String names the kind, for messages.
func (k Kind) String() string {
	switch k {
	case NoSuchBucket:
		return "NoSuchBucket"
	case NoSuchKey:
		return "NoSuchKey"
	case AccessDenied:
		return "AccessDenied"
	case ConditionFailed:
		return "ConditionFailed"
	}
	return "Other"
}

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

// KindOf returns the kind of the S3 answer behind err (as the SDK wraps it:
// an OperationError around a ResponseError around a smithy.APIError), from
// its code or, for a bodiless HEAD answer, its HTTP status alone. A 5xx
// answer is always Other, whatever its code: a server fault may pass, so
// it must never be taken for a refusal (an unknown KMS.* code included).
func KindOf(err error) Kind {
	if errors.Is(err, ErrNoSuchBucket) {
		return NoSuchBucket
	}
	if statusCode(err) >= http.StatusInternalServerError {
		return Other
	}
	code := errorCode(err)
	switch {
	case code == "NoSuchBucket":
		return NoSuchBucket
	case code == "NoSuchKey":
		return NoSuchKey
	case deniedCodes[code], strings.HasPrefix(code, "KMS.") && !transientKMSCodes[code]:
		return AccessDenied
	case code == "PreconditionFailed", code == "ConditionalRequestConflict":
		return ConditionFailed
	}
	switch status := statusCode(err); {
	case status == http.StatusPreconditionFailed, status == http.StatusConflict:
		return ConditionFailed
	case status == http.StatusNotFound && (code == "" || code == "NotFound"):
		return NoSuchKey
	case status == http.StatusForbidden && (code == "" || code == "Forbidden"):
		// A HEAD answer has no body: the SDK names it after its status
		// text. A coded 403 not classified above is something else, such
		// as RequestTimeTooSkewed.
		return AccessDenied
	}
	return Other
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
