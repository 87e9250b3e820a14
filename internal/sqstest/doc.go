// Package sqstest is a small SQS endpoint speaking the AWS JSON 1.0
// protocol the SDK's SQS client uses (POST /, X-Amz-Target: AmazonSQS.<Op>,
// Content-Type: application/x-amz-json-1.0), for tests and the local stack.
//
// It serves SendMessage, SendMessageBatch, ReceiveMessage (with long
// polling, visibility timeouts and the ApproximateReceiveCount,
// SentTimestamp and ApproximateFirstReceiveTimestamp attributes),
// DeleteMessage, DeleteMessageBatch and GetQueueUrl. Answers carry the
// MD5OfMessageBody/MD5OfBody the SDK verifies; errors have SQS's shape
// (HTTP 400, {"__type": "com.amazonaws.sqs#<Code>", "message": ...} and the
// x-amzn-query-error header) so that the SDK returns its typed errors.
// Faults (request errors, per-entry batch failures) can be injected.
//
// It does not check request signatures, and ignores message attributes,
// FIFO queues and dead-letter redrive.
package sqstest
