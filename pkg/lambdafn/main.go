package lambdafn

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/redact"
)

// Build wires a function from its environment (read through lookup). It
// registers every secret it meets with red before anything can print it,
// logs to log, and returns the function's handler behind the contract
// (Wrap): a function cannot start without it.
type Build func(ctx context.Context, lookup func(string) (string, bool), red *redact.Redactor, log *slog.Logger) (*Handler, error)

// Main is the whole of a function's main: it applies the process settings
// for the function's memory (GOMAXPROCS, the Go memory limit), builds the
// function with a logger that redacts and adds each invocation's requestId
// (JSON lines in either log format: LogHandler),
// and hands it to the Lambda runtime. When build fails it prints one
// redacted line naming the function and exits with status 1: the runtime
// reports an init error and nothing is served.
func Main(name string, build Build) {
	config.ApplyProcessSettings(os.LookupEnv)
	red := redact.New()
	log := slog.New(red.Handler(LogHandler(os.Stdout, os.LookupEnv)))
	h, err := build(context.Background(), os.LookupEnv, red, log)
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", red.String(err.Error()))
		os.Exit(1)
	}
	lambda.Start(h)
}
