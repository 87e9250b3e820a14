// Package localenv runs the project's local stack without Docker or AWS: the
// S3-compatible server (versitygw with a POSIX backend) and the real
// bootstrap under the AWS Lambda Runtime Interface Emulator, both on
// loopback, and an SQS event-source mapping that feeds a queue (the
// project's SQS test endpoint) to a function as Lambda does. The
// end-to-end tests and the demo share it.
//
// The tool binaries are pinned in tools/go.mod and installed by `make tools`
// into the repository's git-ignored .bin folder; nothing here installs them.
package localenv
