// Package logtest gives tests the functions' log lines as they are
// written in Lambda: JSON, with the requestId of the invocation whose ctx
// the line was logged with. lambdacontext.NewLogHandler adds requestId the
// same way but writes only to standard output; Handler writes to a buffer
// a test reads back. The requestId is added by the functions' own
// lambdafn.WithRequestID.
package logtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/recording-sync/recording-sync/pkg/lambdafn"
)

// Handler is a JSON handler writing to w that adds requestId from the
// Lambda context of each record's ctx, if it has one.
func Handler(w io.Writer) slog.Handler {
	return lambdafn.WithRequestID(slog.NewJSONHandler(w, nil))
}

// Invocation returns ctx as the runtime hands it to a handler: carrying
// the Lambda context of the invocation requestID.
func Invocation(ctx context.Context, requestID string) context.Context {
	return lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: requestID})
}

// Lines decodes logs, one JSON object a line.
func Lines(t testing.TB, logs []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range bytes.Lines(logs) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// CheckLines fails t unless every line of logs carries requestID, and
// every line at level ERROR carries an error and the errorType wantType.
// It returns the number of ERROR lines.
func CheckLines(t testing.TB, logs []byte, requestID, wantType string) int {
	t.Helper()
	failures := 0
	for _, l := range Lines(t, logs) {
		if l["requestId"] != requestID {
			t.Errorf("line %v: requestId %v, want %s", l, l["requestId"], requestID)
		}
		if l["level"] != slog.LevelError.String() {
			continue
		}
		failures++
		if e, _ := l["error"].(string); e == "" || l["errorType"] != wantType {
			t.Errorf("failure line %v: want an error and errorType %s", l, wantType)
		}
	}
	return failures
}
