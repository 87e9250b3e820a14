// Package s3store writes recordings into an S3 bucket. It is the only
// package that imports the SDK's transfer manager (feature/s3/manager), so
// the uploader can be swapped in one place.
//
// Over HTTPS an upload of known length up to StreamMax is one PutObject whose
// body is the source itself, sent with a trailing CRC32 checksum: no buffer
// at all, one request. Larger ones, and those of unknown length, stream
// through a bounded set of part buffers: memory is (Concurrency+1) x
// PartSize whatever the size of the recording. The stored object is either
// complete, with exactly the announced number of bytes, or absent: a short
// or long source, a failed part or a cancelled context cuts the PutObject
// or aborts the multipart upload, with a fresh context so that the abort
// survives an expired invocation. Every write is conditional
// (If-None-Match: *), so two racing copies can never both write.
//
// KindOf names the S3 answers the project acts on (a missing bucket or key,
// access refused, a failed condition) for every package that talks to S3;
// what they mean for a copy is decided by recording.ClassOf.
package s3store
