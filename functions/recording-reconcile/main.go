// Command recording-reconcile is the Lambda function (the bootstrap of a
// provided.al2023 runtime) that finds the recordings the bucket lacks in a
// time window and queues them for the copy function. It only wires:
// configuration, clients, lambda.Start.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/recording-sync/recording-sync/pkg/app"
	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/redact"
)

func main() {
	// GOMAXPROCS and the Go memory limit for the function's memory setting.
	config.ApplyProcessSettings(os.LookupEnv)
	red := redact.New()
	log := slog.New(red.Handler(lambdacontext.NewLogHandler()))
	h, err := app.BuildReconcile(context.Background(), os.LookupEnv, red, log)
	if err != nil {
		fmt.Fprintln(os.Stderr, "recording-reconcile:", red.String(err.Error()))
		os.Exit(1)
	}
	lambda.Start(h)
}
