package lambdafn_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/lambdafn"
	"github.com/recording-sync/recording-sync/pkg/recording"
)

// ValueError is an error type with a value receiver.
type ValueError struct{}

func (ValueError) Error() string { return "value" }

func TestErrorType(t *testing.T) {
	perm := &recording.PermanentError{Err: errors.New("denied")}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"named pointer type", perm, "PermanentError"},
		{"named value type", ValueError{}, "ValueError"},
		{"wrapped by fmt.Errorf keeps the named type", fmt.Errorf("load state: %w", perm), "PermanentError"},
		{"outermost named type wins", &recording.RetryableError{Err: perm}, "RetryableError"},
		{"no named type: its own", errors.New("boom"), "errorString"},
		{"wrapped unnamed", fmt.Errorf("send: %w", context.Canceled), "wrapError"},
		{"nil", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lambdafn.ErrorType(tt.err); got != tt.want {
				t.Errorf("ErrorType(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}
