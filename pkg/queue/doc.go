// Package queue puts recording references on the recording queue (SQS), as
// messages the copy function accepts (trigger.Message). The webhook sends
// one per call; the reconciler sends batches of up to ten.
//
// A message reported as failed was not queued: callers must treat it so
// (answer non-2xx, or not record it as queued). Errors are classified once,
// here: Retryable says whether trying again can help.
package queue
