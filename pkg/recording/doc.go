// Package recording holds the values every function shares about a
// recording: its reference (id, file or both) and the call's details, the
// object key template, the metadata stored with it, the result of a copy
// and the named error types operators see as errorType. It links neither
// the PBX client nor the S3 uploader, so the webhook can use it alone; the
// copy itself is package copier.
package recording
