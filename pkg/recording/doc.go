// Package recording copies one call recording from the PBX into S3:
// reference (id, file or both) -> (file named: already stored?) -> download
// link -> object key -> already stored? -> stream the download into the
// store, with the call's details as metadata -> result.
//
// It owns what a recording reference and a recording file name may be, the
// object key template, and the classification of failures into retryable
// and permanent ones.
package recording
