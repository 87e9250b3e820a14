package main

import (
	"context"
	"fmt"
	"io"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// deployedFunction is a deployed function invoked through the Lambda API
// with the caller's AWS credentials.
type deployedFunction struct {
	client *lambda.Client
	name   string
}

// Invoke runs the function once and returns its answer. A run that failed
// answers its error document, whose errorType the caller reads.
func (f deployedFunction) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	out, err := f.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: &f.name, Payload: payload})
	if err != nil {
		return nil, fmt.Errorf("invoke %s: %w", f.name, err)
	}
	return out.Payload, nil
}

// reconcileDeployed backfills [from, to] with the stack's own reconciler
// (the ReconcileFunctionName output), invoked from this machine until the
// window is complete: the function's role lists the PBX, checks the bucket
// and queues on the recording queue, which admits no one else; this
// machine needs only lambda:InvokeFunction.
func reconcileDeployed(ctx context.Context, out io.Writer, name, from, to string) error {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return fmt.Errorf("AWS configuration: %w", err)
	}
	return reconcileUntilComplete(ctx, deployedFunction{client: lambda.NewFromConfig(cfg), name: name}, out, from, to)
}
