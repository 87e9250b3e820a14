package lambdafn

import (
	"errors"
	"log/slog"
	"reflect"
	"unicode"
	"unicode/utf8"
)

// PanicError is a panic recovered while handling an invocation (or one
// item of it). Value is the panic's value as text.
type PanicError struct {
	Value string
}

func (e *PanicError) Error() string { return "internal error: panic: " + e.Value }

// ErrorType is the name a failure is known by to operators: the errorType
// of the invocation's answer, of its log lines and of the metrics counted
// by errorType. It is the Go type name of the outermost error in err's
// chain whose type is exported (*recording.PermanentError:
// "PermanentError"), so that a named error wrapped by fmt.Errorf keeps its
// name; an error with no exported type in its chain is named by its own
// type ("errorString"). nil has no type: "".
func ErrorType(err error) string {
	if err == nil {
		return ""
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if name := typeName(e); exported(name) {
			return name
		}
	}
	return typeName(err)
}

// typeName is the name of err's type, through a pointer.
func typeName(err error) string {
	t := reflect.TypeOf(err)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

// exported reports whether name is an exported Go identifier.
func exported(name string) bool {
	r, _ := utf8.DecodeRuneInString(name)
	return unicode.IsUpper(r)
}

// ErrorAttrs are the attributes every log line that reports a failure
// carries: error (its message; the logger's redactor masks secrets) and
// errorType (ErrorType). A line with metrics by errorType must carry them:
// the metric's errorType dimension is this member.
func ErrorAttrs(err error) []any {
	return []any{slog.String("error", err.Error()), slog.String("errorType", ErrorType(err))}
}
