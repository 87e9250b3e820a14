// Package yeastar is a client for the parts of the Yeastar P-Series OpenAPI
// that copying call recordings needs: access tokens (get_token,
// refresh_token), recording/download, the download itself as a stream, and
// recording/search (what the PBX recorded in a time window).
//
// Every failed call returns a typed error: *APIError carries the PBX errcode,
// *HTTPError an unexpected HTTP status, *ContentError a download that is not
// audio. No error string ever contains an access token, a refresh token or
// the client secret: URLs are sanitized before they reach an error. The
// package does not log.
package yeastar
