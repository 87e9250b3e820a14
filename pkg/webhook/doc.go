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
// The secret comes from a Keyring, which tolerates its absence: the PBX
// makes the secret only once the webhook is added with the stack's URL, so
// until it is stored requests are answered 503 (the PBX retries), and the
// secret is read again at most once a minute; a signature that does not
// match makes it read again too (a rotation), and the previous secret is
// accepted for a while. A signed JSON object without a type (the PBX's
// test message) or of another type is acknowledged, and a 30012 for a call
// that started long ago (a replay) is acknowledged without queueing.
//
// One function serves many PBXs: the bare URL is the default PBX, and
// <WebhookUrl>pbx/<id> is PBX id (Options.PBXs, PBXKeyrings), checked with
// that PBX's own secret and queued with "pbx": id. A path naming no
// configured PBX is answered 404 before any secret is read.
//
// Sign computes the same header value, for tests and tools that replay
// events.
package webhook
