// Package webhook checks the signature of the Yeastar PBX's webhook
// requests (event 30012, "New CDR", and any other event the PBX pushes).
//
// The PBX signs each request's raw body with the webhook's secret and sends
// base64(HMAC-SHA256(body, secret)) in the X-Signature header. A webhook
// receiver — the small HTTP function in front of SQS or EventBridge that
// turns a PBX push into a message for recording-sync — calls Verify on the
// exact bytes it received, before decoding or forwarding anything, and
// answers 401 when it fails. The copy function itself never sees the
// signature: what reaches SQS or EventBridge has already been checked.
//
// Sign computes the same header value, for tests, the local simulator and
// tools that replay events.
package webhook
