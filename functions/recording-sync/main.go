// Command recording-sync is the Lambda function (the bootstrap of a
// provided.al2023 runtime) that copies Yeastar PBX call recordings into S3.
// It only wires: process settings, configuration, clients, lambda.Start.
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
	h, err := app.Build(context.Background(), os.LookupEnv, red, log)
	if err != nil {
		fmt.Fprintln(os.Stderr, "recording-sync:", red.String(err.Error()))
		os.Exit(1)
	}
	lambda.Start(h) // h redacts every result and error
}
