// Package tokencache shares one Yeastar PBX access token among all running
// instances of the function, through one small S3 object, with an in-memory
// copy in front of it.
//
// The PBX allows at most 8 valid access tokens per API application
// (60002 MAX LIMITATION EXCEEDED past that), so concurrent instances must not
// each log in. The shared object (an Entry) holds the token pair and a lease:
// the right of one instance to renew the token, until a deadline. Every write
// is conditional on the version (ETag) read before it, with If-None-Match: *
// to create and If-Match to replace; AWS S3 and versitygw both evaluate these
// atomically, so exactly one instance wins each lease.
//
// An instance whose token is due for renewal reads the object; if another
// instance has already renewed, it uses that token. Otherwise it takes the
// lease, renews (refresh_token, or get_token when that fails), publishes the
// new token while clearing the lease, and revokes the superseded token if it
// is still valid: the PBX never sees more than two valid tokens from this
// application. The other instances poll the object until the new token
// appears or the lease expires (its holder crashed), then take it over.
//
// The object never holds credentials. No token appears in an error; the
// package does not log.
package tokencache
