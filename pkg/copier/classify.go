package copier

import (
	"errors"
	"net/http"

	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/s3store"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// ClassOf is the one place that decides what a failure is; the packages
// below it only name what happened (yeastar: errcodes and HTTP statuses;
// s3store.KindOf: the S3 answers, for the store and the token cache alike).
// Permanent, never retried:
//   - PBX errcodes 10005, 40002, 70004, 70087, 70123, and -1 on get_token
//     (bad credentials: retrying would get the IP blocked);
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
// Not permanent: 60001 (DATA NOT FOUND) is a recording the PBX may not have
// written yet, retried a few times, then a NotYetAvailableError; everything
// else (network faults, -2, 5xx, S3 throttling) is transient.

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

// Class is what can be done about a failure. All decisions about failures
// are taken from it, in one place.
type Class int

// The failure classes.
const (
	ClassTransient       Class = iota // retry with backoff: network, -2, 5xx, S3 throttling and 5xx
	ClassNotYetAvailable              // 60001: a few retries with growing backoff
	ClassBusy                         // 70082: the mp3 PBX serves one download at a time; wait longer
	ClassPermanent                    // never retried: see the list at the top of this file
	ClassInvalidInput                 // never retried: the event itself is wrong
)

// ClassOf decides the class of err.
func ClassOf(err error) Class {
	var inv *recording.InvalidInputError
	switch {
	case errors.As(err, &inv):
		return ClassInvalidInput
	case IsPermanent(err):
		return ClassPermanent
	}
	switch code, _ := yeastar.ErrorCode(err); code {
	case yeastar.CodeDataNotFound:
		return ClassNotYetAvailable
	case yeastar.CodeOverloadTask:
		return ClassBusy
	}
	return ClassTransient
}

// IsPermanent reports whether err can never succeed on retry.
func IsPermanent(err error) bool {
	var inv *recording.InvalidInputError
	if errors.As(err, &inv) || errors.Is(err, errBadAnswer) || errors.Is(err, yeastar.ErrForeignURL) {
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
		return permanentCodes[apiErr.Code]
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
