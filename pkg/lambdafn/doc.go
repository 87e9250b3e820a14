// Package lambdafn is the contract every function of the stack keeps with
// the Lambda runtime and with its operators, written once:
//
//   - Main starts a function: process settings, the redactor, the logger
//     (LogHandler: JSON lines that carry the metrics whatever
//     AWS_LAMBDA_LOG_FORMAT says, each invocation's requestId), the
//     function's own wiring,
//     lambda.Start; a wiring failure is one redacted line.
//   - Handler is the layer every handler goes through: a panic becomes a
//     *PanicError (logged with its stack), an error leaves with its
//     ErrorType as errorType and its message redacted, a response leaves
//     redacted.
//   - ErrorType names a failure, for the runtime, the log lines and the
//     metrics alike; ErrorAttrs are the error and errorType attributes
//     every failure's log line carries.
//
// It links no client of S3 or the PBX: the webhook function uses it too.
package lambdafn
