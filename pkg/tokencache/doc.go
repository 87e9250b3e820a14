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
// # The object is sealed
//
// Anyone with read access to the bucket could otherwise take the tokens and
// use the PBX API with every permission of the application; anyone with
// write access could stop every copy with a forged lease, have a token of
// their own used, or have the function revoke someone else's token. So
// S3Store (package sealedobj) seals the entry (package seal: AES-256-GCM)
// under a key derived with HKDF-SHA256 from the PBX client secret (purpose
// SealPurpose), bound to the bucket and key ("s3://bucket/key" as
// additional data). An object
// that does not open, plaintext of an older release included, is treated as
// absent and replaced through the usual conditional write (If-Match on its
// ETag); its tokens are never used, refreshed or revoked.
//
// What opens is still bounded before it is trusted (an old sealed entry can
// be replayed): a lease may end at most the failed-login hold (5 minutes)
// plus a minute from now, with a code this package writes; an access token
// may live at most its documented 30 minutes from issue, a refresh token 24
// hours, and neither may have been issued in the future (beyond a minute of
// clock skew). An entry out of bounds is treated as absent.
//
// When the client secret rotates, the object sealed under the old secret no
// longer opens: the first instance with the new secret treats it as absent,
// logs in and replaces it. The old secret's tokens cannot be revoked, since
// they can no longer be read; they expire within 30 minutes and count
// against the PBX's limit of 8 meanwhile. Warm instances that read the old
// secret before the rotation cannot open the new object either, and the PBX
// refuses their logins: update the function (a deployment or a
// configuration change) after rotating, so that every instance starts anew
// with the new secret.
//
// The object never holds credentials. No token appears in an error; every
// token read from the object is registered with Options.Secrets for
// redaction. The package does not log.
package tokencache
