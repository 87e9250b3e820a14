// Package yeastar is a client for the parts of the Yeastar P-Series OpenAPI
// that copying call recordings needs: access tokens (get_token,
// refresh_token, del_token), system/information (model, firmware, the
// PBX's date format and clock), recording/download, the download itself as a
// stream, and recording/search (what the PBX recorded in a time window).
//
// Logging in and using a token are split: an Auth holds the API
// application's credentials and does get_token, refresh_token and
// del_token; a Client calls the API with tokens from a TokenSource given to
// New, and never logs in by itself. MemoryTokens is the source of a process
// alone on the PBX; package tokencache shares one token among instances.
// Give an Auth and its Client the same Options: they share the HTTP
// settings.
//
// Every failed call returns a typed error: *APIError carries the PBX errcode,
// *HTTPError an unexpected HTTP status, *ContentError a download that is not
// audio. No error string ever contains an access token, a refresh token or
// the client secret: URLs are masked with package redact before they reach
// an error, and every token met is reported to Options.Secrets. The package
// does not log.
package yeastar
