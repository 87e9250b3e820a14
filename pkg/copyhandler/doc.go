// Package copyhandler is the Lambda entry point: it decodes an invocation into
// recording references, copies each one, logs one structured line per
// recording and returns the result.
package copyhandler
