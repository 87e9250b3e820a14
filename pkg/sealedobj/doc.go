// Package sealedobj keeps one small value in one S3 object beside the
// recordings: the shared PBX token, the reconciler's state. Whoever can read
// the bucket learns nothing from it, and whoever can write to it cannot
// steer the functions with it.
//
// The value is JSON sealed with package seal (AES-256-GCM under a key
// derived from the PBX client secret for one purpose), bound to
// "s3://bucket/key": the same bytes copied to another key or bucket no
// longer open. Its versions are ETags and every write is conditional
// (If-None-Match: * to create, If-Match on the version read to replace), so
// that of two writers on one version exactly one wins; the other gets an
// error matching ErrConflict. S3's answers are told apart by s3store.KindOf.
//
// An object that does not open (sealed under a rotated secret or for
// another place, altered, too large, plaintext, not the value's JSON) is
// read as the zero value with its version, so that the next write replaces
// it: what it held is lost, and refusing it would stop every run. LoadStrict
// says so, with the reason, as an *UnreadableError, for a caller that must
// report the loss.
package sealedobj
