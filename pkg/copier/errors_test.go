package copier

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/s3store"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// class names the outcomes of classify.
type class string

const (
	invalidInput class = "InvalidInputError"
	permanent    class = "PermanentError"
	retryable    class = "RetryableError"
	// notYetAvailable and timeout are retryable too, under their own names.
	notYetAvailable class = "NotYetAvailableError"
	timeout         class = "TimeoutError"
)

// classOf returns the class of a classified error, failing the test if the
// error is none of the three types.
func classOf(t *testing.T, err error) class {
	t.Helper()
	var (
		inv  *recording.InvalidInputError
		perm *recording.PermanentError
		ret  *recording.RetryableError
		nya  *recording.NotYetAvailableError
		tmo  *recording.TimeoutError
	)
	switch {
	case err == nil:
		t.Fatal("error is nil, want a classified error")
	case errors.As(err, &inv):
		return invalidInput
	case errors.As(err, &perm):
		return permanent
	case errors.As(err, &ret):
		return retryable
	case errors.As(err, &nya):
		return notYetAvailable
	case errors.As(err, &tmo):
		return timeout
	}
	t.Fatalf("error %v (%T) is not an recording.InvalidInputError, recording.PermanentError or RetryableError", err, err)
	return ""
}

func TestClassify(t *testing.T) {
	api := func(op string, code int) error { return &yeastar.APIError{Op: op, Code: code, Message: "test"} }
	tests := []struct {
		name string
		err  error
		want class
	}{
		{"-1 on get_token (bad credentials)", api("get_token", yeastar.CodeFailure), permanent},
		{"-1 on get_token, wrapped", fmt.Errorf("get download link: %w", api("get_token", yeastar.CodeFailure)), permanent},
		{"-1 on recording/download", api("recording/download", yeastar.CodeFailure), retryable},
		{"-1 on download", api("download", yeastar.CodeFailure), retryable},
		{"10005 access denied", api("recording/download", yeastar.CodeAccessDenied), permanent},
		{"40002 parameter error", api("recording/download", yeastar.CodeParameterError), permanent},
		{"70004 IP blocked", api("get_token", yeastar.CodeIPBlocked), permanent},
		{"70087 IP forbidden", api("recording/download", yeastar.CodeIPForbidden), permanent},
		{"70123 API unavailable", api("get_token", yeastar.CodeAPIUnavailable), permanent},
		{"-2 internal", api("recording/download", yeastar.CodeInternal), retryable},
		{"-2 internal on get_token", api("get_token", yeastar.CodeInternal), retryable},
		{"10004 token expired", api("download", yeastar.CodeTokenExpired), retryable},
		{"60001 not written yet", api("recording/download", yeastar.CodeDataNotFound), notYetAvailable},
		{"70082 one mp3 download at a time", api("download", yeastar.CodeOverloadTask), retryable},
		{"unknown errcode", api("recording/download", 99999), retryable},
		{"HTTP 502", &yeastar.HTTPError{Op: "download", StatusCode: 502}, retryable},
		{"HTML body", &yeastar.ContentError{Op: "download", Reason: "html"}, retryable},
		{"network", errors.New("connection reset by peer"), retryable},
		{"deadline", fmt.Errorf("download: %w", context.DeadlineExceeded), retryable},
		{"short source", &s3store.SizeError{Want: 10, Got: 5}, retryable},
		{"bucket does not exist", fmt.Errorf("s3 head b/k: %w", s3store.ErrNoSuchBucket), permanent},
		{"invalid input", &recording.InvalidInputError{Reason: "bad"}, invalidInput},
		{"invalid input, wrapped", fmt.Errorf("key: %w", &recording.InvalidInputError{Reason: "bad"}), invalidInput},
	}
	ref := recording.Ref{ID: 1727}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := IsPermanent(tt.err), tt.want == permanent || tt.want == invalidInput; got != want {
				t.Errorf("IsPermanent(%v) = %v, want %v", tt.err, got, want)
			}
			err := classify(ref, tt.err, false)
			if got := classOf(t, err); got != tt.want {
				t.Fatalf("classify(%v) = %T, want %s", tt.err, err, tt.want)
			}
			if !errors.Is(err, tt.err) {
				var inv *recording.InvalidInputError
				if !errors.As(tt.err, &inv) || !errors.Is(err, inv) {
					t.Errorf("classify(%v) = %v does not wrap the original error", tt.err, err)
				}
			}
			// The PBX errcode stays reachable for the caller.
			var want *yeastar.APIError
			if errors.As(tt.err, &want) {
				var got *yeastar.APIError
				if !errors.As(err, &got) || got.Code != want.Code || got.Op != want.Op {
					t.Errorf("errors.As(classified, *APIError) = %+v, want %+v", got, want)
				}
			}
			if tt.want != invalidInput && !strings.Contains(err.Error(), ref.String()) {
				t.Errorf("error %q does not name the recording (%s)", err, ref)
			}
		})
	}
}

func TestClassifiedErrorTypeNames(t *testing.T) {
	// The Lambda runtime reports the type name as errorType; operators
	// alarm on it, so the names are an interface.
	tests := []struct {
		err  error
		want string
	}{
		{&recording.InvalidInputError{}, "*recording.InvalidInputError"},
		{&recording.PermanentError{}, "*recording.PermanentError"},
		{&recording.RetryableError{}, "*recording.RetryableError"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := fmt.Sprintf("%T", tt.err); got != tt.want {
				t.Errorf("type = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestErrorMessages(t *testing.T) {
	inner := errors.New("boom")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"invalid input", &recording.InvalidInputError{Reason: "id 0 is not a positive integer"}, "invalid input: id 0 is not a positive integer"},
		{"permanent by id", &recording.PermanentError{Ref: recording.Ref{ID: 7}, Err: inner}, "recording id 7: boom"},
		{"retryable by file", &recording.RetryableError{Ref: recording.Ref{File: "a.wav"}, Err: inner}, `recording file "a.wav": boom`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}
