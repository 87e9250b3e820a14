package lambdafn

import (
	"context"
	"io"
	"log/slog"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// LogHandler is the functions' log handler: JSON lines on w, at the level
// AWS_LAMBDA_LOG_LEVEL names (default INFO), with Lambda's key names
// (timestamp, message) and each invocation's requestId.
//
// The lines are JSON whatever AWS_LAMBDA_LOG_FORMAT says. The metrics ride
// on them (CloudWatch Embedded Metric Format), and CloudWatch Logs extracts
// EMF from any log event that is a JSON object with an _aws member, in
// either log format; lambdacontext.NewLogHandler would write key=value
// lines when the format is Text, and every metric would then be lost
// without a word. A function set to Text therefore keeps its metrics and
// its one line per recording, and still starts.
func LogHandler(w io.Writer, lookup func(string) (string, bool)) slog.Handler {
	level, _ := lookup("AWS_LAMBDA_LOG_LEVEL")
	opts := &slog.HandlerOptions{Level: logLevel(level), ReplaceAttr: lambdacontext.ReplaceAttr}
	return WithRequestID(slog.NewJSONHandler(w, opts))
}

// logLevel reads a Lambda application log level; anything else is INFO.
func logLevel(name string) slog.Level {
	switch name {
	case "TRACE", "DEBUG":
		return slog.LevelDebug
	case "WARN":
		return slog.LevelWarn
	case "ERROR", "FATAL":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// WithRequestID wraps h to add to each record the requestId of the
// invocation whose ctx it was logged with, if the ctx carries one.
func WithRequestID(h slog.Handler) slog.Handler { return requestIDs{h} }

// requestIDs adds the requestId of the invocation whose ctx a record was
// logged with.
type requestIDs struct{ slog.Handler }

func (h requestIDs) Handle(ctx context.Context, r slog.Record) error {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		r.AddAttrs(slog.String("requestId", lc.AwsRequestID))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDs) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDs{h.Handler.WithAttrs(attrs)}
}

func (h requestIDs) WithGroup(name string) slog.Handler { return requestIDs{h.Handler.WithGroup(name)} }
