// Command local runs the function on this machine without Docker or AWS:
// it builds the real bootstrap, starts a local S3 server, the PBX simulator
// with the sample recordings the events in events/ name, and the Lambda
// Runtime Interface Emulator, then invokes the function.
//
//	local demo                 invoke every events/*.json, post a signed call-end
//	                           webhook through the webhook function and the queue,
//	                           then list the bucket
//	local invoke EVENT.json    invoke one event and print the function's response
//	local invoke -s3-endpoint URL -bucket NAME EVENT.json
//	                           the same against an S3 server of the user's (e.g.
//	                           MinIO) and an existing bucket, with the AWS
//	                           credentials, region and AWS_CA_BUNDLE of the
//	                           environment
//	local reconcile FROM TO    reconcile [FROM, TO] (RFC 3339) against the local stack
//	local reconcile -remote FROM TO
//	                           the same against your PBX, bucket and queue (your environment)
//	local reconcile -function NAME FROM TO
//	                           invoke the deployed reconciler NAME until the window
//	                           is complete, a progress line per run
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"

	"github.com/recording-sync/recording-sync/internal/cli"
)

func main() {
	cli.Main("local", func(ctx context.Context) error { return run(ctx, os.Args[1:]) })
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: local demo | local invoke [-s3-endpoint URL -bucket NAME] EVENT.json | local reconcile [-remote | -function NAME] FROM TO")
	}
	switch args[0] {
	case "demo":
		return demo(ctx, os.Stdout)
	case "invoke":
		target, event, err := parseInvoke(args[1:], os.LookupEnv)
		if err != nil {
			return err
		}
		return invoke(ctx, os.Stdout, event, target)
	case "reconcile":
		return reconcileCmd(ctx, os.Stdout, args[1:])
	default:
		return fmt.Errorf("unknown command %q: want demo, invoke or reconcile", args[0])
	}
}

const invokeUsage = "usage: local invoke [-s3-endpoint URL -bucket NAME] EVENT.json"

// parseInvoke reads invoke's arguments. An S3 endpoint needs a bucket, and
// a region in the environment, which the function inherits.
func parseInvoke(args []string, lookup func(string) (string, bool)) (S3Target, string, error) {
	fs := flag.NewFlagSet("invoke", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var t S3Target
	fs.StringVar(&t.Endpoint, "s3-endpoint", "", "S3 endpoint URL to use instead of the local S3 server")
	fs.StringVar(&t.Bucket, "bucket", "", "existing bucket at -s3-endpoint")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		return S3Target{}, "", errors.New(invokeUsage)
	}
	switch {
	case t.Endpoint == "" && t.Bucket == "":
		return S3Target{}, fs.Arg(0), nil
	case t.Endpoint == "" || t.Bucket == "":
		return S3Target{}, "", errors.New("-s3-endpoint and -bucket go together: " + invokeUsage)
	}
	if u, err := url.Parse(t.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return S3Target{}, "", fmt.Errorf("-s3-endpoint %q: want http(s)://host[:port]", t.Endpoint)
	}
	if !hasValue(lookup, "AWS_REGION") && !hasValue(lookup, "AWS_DEFAULT_REGION") {
		return S3Target{}, "", errors.New("-s3-endpoint needs AWS_REGION in the environment (MinIO's default region is us-east-1)")
	}
	return t, fs.Arg(0), nil
}

func hasValue(lookup func(string) (string, bool), name string) bool {
	v, _ := lookup(name)
	return v != ""
}
