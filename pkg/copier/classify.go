package copier

import (
	"errors"
	"net/http"

	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/s3store"
	"github.com/recording-sync/recording-sync/pkg/tokencache"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// ClassOf is the one place that decides what a failure is; the packages
// below it only name what happened (yeastar: errcodes and HTTP statuses;
// s3store.KindOf: the S3 answers, for the store and the token cache alike).
// Permanent, never retried:
//   - the PBX errcodes codeClasses marks permanent (docs/yeastar-errors.md
//     gives the reason for each), among them 10001 and 10003 (firmware
//     without the endpoint), and -1 on get_token (bad credentials:
//     retrying would get the IP blocked);
//   - a PBX answer no retry can change: a bad file name, a download URL
//     off the PBX's origin;
//   - the download of a fresh link refused with HTTP 401, 403 or 404. A
//     stale or expired link is asked for anew once first (as on 10004;
//     a revoked token is renewed on the way, the link request answering
//     10004 for it), so the status that reaches ClassOf is the fresh
//     link's: the PBX refuses it, or no longer has the file;
//   - S3: a missing bucket (NoSuchBucket, or a bucket HeadBucket cannot
//     find) and access refused (AccessDenied and a HEAD's bare 403,
//     InvalidAccessKeyId, SignatureDoesNotMatch, SSE-KMS key errors), from
//     whichever S3 call meets them first, the token cache's included.
//
// Not permanent: the errcodes codeClasses names otherwise (60001 not yet
// available, 70082 and 2 busy, 10004 token refresh); everything else
// (network faults, -2, 5xx, S3 throttling, an errcode the table does not
// list) is transient.

// codeClasses is Yeastar's error-code table, each code with its class;
// docs/yeastar-errors.md is the same table with the reasons.
var codeClasses = map[int]Class{
	yeastar.CodeInternal:                 ClassTransient,
	yeastar.CodeFailure:                  ClassTransient, // on get_token: permanent, see IsPermanent
	yeastar.CodePartialSuccess:           ClassTransient,
	yeastar.CodeProcessing:               ClassBusy,
	yeastar.CodeInterfaceNotExisted:      ClassPermanent,
	yeastar.CodeAPIVersionOutOfMaint:     ClassPermanent,
	yeastar.CodeAPIVersionUnsupported:    ClassPermanent,
	yeastar.CodeTokenExpired:             ClassTokenRefresh,
	yeastar.CodeAccessDenied:             ClassPermanent,
	yeastar.CodeParameterSyntax:          ClassPermanent,
	yeastar.CodeParameterError:           ClassPermanent,
	yeastar.CodeDuplicateKey:             ClassPermanent,
	yeastar.CodeFileSizeExceeded:         ClassPermanent,
	yeastar.CodeDataNotFound:             ClassNotYetAvailable,
	yeastar.CodeMaxLimitation:            ClassTransient,
	yeastar.CodeRoleNotExisted:           ClassPermanent,
	yeastar.CodeIPBlocked:                ClassPermanent,
	yeastar.CodeOverloadTask:             ClassBusy,
	yeastar.CodeActionForbidden:          ClassPermanent,
	yeastar.CodeIPForbidden:              ClassPermanent,
	yeastar.CodeConnectionRelationExists: ClassPermanent,
	yeastar.CodePhonebookNotExisted:      ClassPermanent,
	yeastar.CodeRateNotExisted:           ClassPermanent,
	yeastar.CodeOrganizationDisabled:     ClassPermanent,
	yeastar.CodeAPIUnavailable:           ClassPermanent,
}

// CodeClass returns the class of a PBX errcode, and whether Yeastar's table
// lists it; an unlisted code is transient.
func CodeClass(code int) (Class, bool) {
	c, ok := codeClasses[code]
	if !ok {
		return ClassTransient, false
	}
	return c, true
}

// errBadAnswer marks a PBX answer no retry can fix: a recording file name
// that is not a safe single path element.
var errBadAnswer = errors.New("PBX answered a bad file name")

// Class is what can be done about a failure. All decisions about failures
// are taken from it, in one place.
type Class int

// The failure classes.
const (
	ClassTransient       Class = iota // retry with backoff: network, -2, 5xx, S3 throttling and 5xx
	ClassNotYetAvailable              // 60001: a few retries with growing backoff
	ClassBusy                         // 70082, 2: the PBX is busy with another task; wait longer
	ClassPermanent                    // never retried: see the list at the top of this file
	ClassInvalidInput                 // never retried: the event itself is wrong
	// ClassTokenRefresh is 10004 after the client's own renewal: retried
	// as transient, each attempt with the token then current (a link is
	// asked for anew, see Copier.opener).
	ClassTokenRefresh
	// ClassBackoff is a PBX whose last logins all failed, not asked again
	// for a while (tokencache.BackoffError): not retried within the copy,
	// which fails at once as a RetryableError for the queue to retry
	// later, so that the PBX's copies do not hold their batch's slots.
	ClassBackoff
)

// ErrPBXConfig marks a PBX whose registry entry cannot be used (a base
// URL over plain HTTP where that is not allowed, a CA certificate that
// does not parse): permanent until the entry is fixed.
var ErrPBXConfig = errors.New("PBX configuration unusable")

// retried reports whether failures of class c are retried with the
// transient policy.
func (c Class) retried() bool { return c == ClassTransient || c == ClassTokenRefresh }

// ClassOf decides the class of err.
func ClassOf(err error) Class {
	var inv *recording.InvalidInputError
	switch {
	case errors.As(err, &inv):
		return ClassInvalidInput
	case IsPermanent(err):
		return ClassPermanent
	case errors.As(err, new(*tokencache.BackoffError)):
		return ClassBackoff
	case errors.Is(err, errNoTurn):
		return ClassBusy
	}
	if code, ok := yeastar.ErrorCode(err); ok {
		c, _ := CodeClass(code)
		return c
	}
	return ClassTransient
}

// IsPermanent reports whether err can never succeed on retry.
func IsPermanent(err error) bool {
	var inv *recording.InvalidInputError
	if errors.As(err, &inv) || errors.Is(err, errBadAnswer) || errors.Is(err, yeastar.ErrForeignURL) || errors.Is(err, ErrPBXConfig) {
		return true
	}
	switch s3store.KindOf(err) {
	case s3store.NoSuchBucket, s3store.AccessDenied:
		return true // a configuration error: the bucket, the role or the key is wrong
	}
	if linkRefused(err) {
		return true // reached only with a fresh link: the opener renews a stale one once
	}
	var apiErr *yeastar.APIError
	if errors.As(err, &apiErr) {
		if apiErr.Op == "get_token" && apiErr.Code == yeastar.CodeFailure {
			return true // bad credentials; retrying would get the IP blocked
		}
		return codeClasses[apiErr.Code] == ClassPermanent
	}
	return false
}

// linkRefused reports whether err is the PBX refusing a download link
// (HTTP 401, 403 or 404 on its GET): the link is stale, or the file is gone.
func linkRefused(err error) bool {
	var he *yeastar.HTTPError
	if !errors.As(err, &he) || he.Op != "download" {
		return false
	}
	switch he.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		return true
	}
	return false
}

// classify wraps err in the named type of its class; input errors stay as
// they are. timedOut says the copy was stopped for the deadline.
func classify(ref recording.Ref, err error, timedOut bool) error {
	var inv *recording.InvalidInputError
	switch {
	case errors.As(err, &inv):
		return inv
	case IsPermanent(err):
		return &recording.PermanentError{Ref: ref, Err: err}
	case timedOut:
		return &recording.TimeoutError{Ref: ref, Err: err}
	case ClassOf(err) == ClassNotYetAvailable:
		return &recording.NotYetAvailableError{Ref: ref, Err: err}
	default:
		return &recording.RetryableError{Ref: ref, Err: err}
	}
}
