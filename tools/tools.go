//go:build tools

// Package tools pins the development tools (the S3 server and the Lambda
// Runtime Interface Emulator) so that their versions live in this go.mod and
// not in the product's dependency graph.
package tools

import (
	_ "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie"
	_ "github.com/versity/versitygw/cmd/versitygw"
)
