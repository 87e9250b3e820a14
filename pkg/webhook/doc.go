// Package webhook receives the Yeastar PBX's webhook requests (event 30012,
// "New CDR", and any other event the PBX pushes) for the webhook function
// behind the stack's Function URL.
//
// The PBX signs each request's raw body with the webhook's secret and sends
// base64(HMAC-SHA256(body, secret)) in the X-Signature header. Handler
// checks it with Verify on the exact bytes received (decoded first when
// the Function URL event marks the body base64), before parsing anything,
// then puts the recording a 30012 event names on the recording queue with
// the call's details. The copy function itself never sees the signature:
// what reaches the queue has already been checked.
//
// Sign computes the same header value, for tests and tools that replay
// events.
package webhook
