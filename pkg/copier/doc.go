// Package copier copies one call recording from the PBX into S3:
// reference (id, file or both) -> (file named: already stored?) -> download
// link -> object key -> already stored? -> stream the download into the
// store, with the call's details as metadata -> result.
//
// It owns the retries of a copy, the resuming of a dropped download and
// the classification of failures (ClassOf) into retryable and permanent
// ones, wrapped in the error types of package recording.
package copier
