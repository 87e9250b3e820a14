// Package yeastartest runs an in-process simulator of the Yeastar P-Series
// OpenAPI, for tests of the real client, for end-to-end tests and for demos.
//
// The simulator is an [http.Handler] that answers like a real PBX: every
// answer is HTTP 200 with a JSON body {"errcode":N,"errmsg":"..."} where 0
// means success, tokens travel only in the access_token query parameter, at
// most [Options.MaxTokens] access tokens are valid at once, repeated failed
// logins block the caller, and recordings are fetched in two steps
// (recording/download, then the returned /api/download/... link).
// recording/search and recording/list page through the recordings (a time
// window against each recording's time, a page-size cap [Options.MaxPageSize],
// times in the PBX's local zone [Options.TimeZone]).
//
// Recording bytes are never stored: [Content] and [ContentAt] generate them
// deterministically from the file name, so a test can serve a 4 GiB file
// without using memory and still check every byte it receives.
//
// [NewFleet] starts many PBXs, each on its own loopback port with its own
// credentials, webhook secret and recordings, some down, slow or given
// wrong credentials ([Fault]), and describes them in the PBX_REGISTRY_FILE
// format ([Fleet.Registry], [Fleet.WriteRegistry]).
//
// Faults are injected with [Simulator.FailAPI], [Simulator.DropDownloadAfter],
// [Simulator.ShortDownload], [Simulator.DownloadBody],
// [Simulator.ThrottleDownload] and [Simulator.RevokeAll]; [Simulator.Stats]
// reports what the client did, and in Faults which faults fired, so that a
// test that injects one can check it struck. All methods are safe for
// concurrent use.
package yeastartest
