package queue

import (
	"errors"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
)

// Error is a message (or a batch) that was not queued.
type Error struct {
	Op        string // what was attempted, naming the recording
	Code      string // SQS's error code, when it answered one
	Message   string
	Err       error // the SDK's error, when there was one
	retryable bool
}

// Error names what was not queued and why.
func (e *Error) Error() string {
	msg := "queue: " + e.Op + ": "
	if e.Code != "" {
		msg += e.Code + ": "
	}
	if e.Err != nil {
		return msg + e.Err.Error()
	}
	return msg + e.Message
}

// Unwrap returns the SDK's error, if any.
func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether sending again can succeed: throttling, a
// server fault or a network failure can pass; a missing queue, a denied
// permission or a refused message cannot.
func (e *Error) Retryable() bool { return e.retryable }

// Retryable reports whether err, from a Sender, may succeed when sent again.
func Retryable(err error) bool {
	var qe *Error
	return errors.As(err, &qe) && qe.retryable
}

// permanent are the SQS codes that no retry fixes.
var permanent = map[string]bool{
	"AccessDenied": true, "AccessDeniedException": true, "QueueDoesNotExist": true,
	"AWS.SimpleQueueService.NonExistentQueue": true, "InvalidParameterValue": true,
	"InvalidMessageContents": true, "UnsupportedOperation": true, "InvalidAddress": true,
	"InvalidSecurity": true, "KmsAccessDenied": true, "KmsDisabled": true, "KmsInvalidKeyUsage": true,
	"KmsNotFound": true, "MissingParameter": true, "BatchRequestTooLong": true,
	"TooManyEntriesInBatchRequest": true, "QueueDeletedRecently": true, "InvalidClientTokenId": true,
	"UnrecognizedClientException": true, "SignatureDoesNotMatch": true, "IncompleteSignature": true,
}

// throttles are the codes SQS answers when asked too fast.
var throttles = map[string]bool{
	"ThrottlingException": true, "RequestThrottled": true, "Throttling": true,
	"AWS.SimpleQueueService.RequestThrottled": true, "KmsThrottled": true,
}

// classify wraps an SDK error (which the SDK has already retried as far as
// its retryer goes) as an *Error with its class.
func classify(op string, err error) *Error {
	e := &Error{Op: op, Err: err, retryable: true}
	var api smithy.APIError
	if !errors.As(err, &api) {
		// No answer from SQS (the network, a cancelled context) or one
		// that did not match what was sent (checksum): try again.
		return e
	}
	e.Code = api.ErrorCode()
	var resp *awshttp.ResponseError
	switch {
	case permanent[e.Code]:
		e.retryable = false
	case throttles[e.Code], api.ErrorFault() == smithy.FaultServer:
	case errors.As(err, &resp):
		e.retryable = resp.HTTPStatusCode() >= 500 || resp.HTTPStatusCode() == 429
	default:
		e.retryable = api.ErrorFault() != smithy.FaultClient
	}
	return e
}
