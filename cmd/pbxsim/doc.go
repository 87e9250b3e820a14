// Command pbxsim serves the Yeastar P-Series OpenAPI simulator of package
// yeastartest over HTTP, for demos and for end-to-end tests of binaries.
//
// Usage:
//
//	pbxsim -client-id ID -client-secret SECRET \
//		-recording 1727:20220412173331-1649756009.12-2002-2005-Internal.wav:5MiB
//
// The credentials default to $PBX_CLIENT_ID and $PBX_CLIENT_SECRET. Once it
// listens, pbxsim prints one line, "PBX simulator listening on
// http://HOST:PORT", to stdout; it serves until SIGINT or SIGTERM and then
// exits 0.
//
// To serve many PBXs, each on its own port with its own credentials,
// webhook secret, recordings and faults, name them with -pbxs, as ids
// (-pbxs hq,branch) or as a count (-pbxs 3 serves pbx-1, pbx-2 and pbx-3):
//
//	pbxsim -pbxs 4 -registry-file pbx-registry.json \
//		-fault pbx-2=down -fault pbx-3=slow:1s -fault pbx-4=badcreds
//
// The credentials are random; -registry-file (required with -pbxs) is
// where they are written, mode 0600, as the PBX_REGISTRY_FILE JSON
// {"<id>": {"base_url", "client_id", "client_secret", "webhook_secret"}}.
// pbxsim prints one line per PBX, "PBX simulator ID listening on
// http://HOST:PORT" (with its faults in parentheses), or "PBX simulator ID
// down at http://HOST:PORT (connection refused)", then "PBX registry
// written to PATH". -fault (repeatable, faults for one id add up):
// down leaves the PBX's port closed; slow:DURATION answers every API call
// after DURATION (downloads are not delayed); badcreds writes a client
// secret the PBX does not accept, so every login fails (-1) and the fifth
// in a row blocks the caller (70004), as on a real PBX. -recording,
// -token-lifetime, -disable-range and -mp3-single-download apply to every
// PBX; without -recording each PBX holds two recordings, one with an id
// and file name that all the PBXs share. -addr's port must then be 0.
//
// To test a webhook by hand (a deployed stack's WebhookUrl output), post a
// call-end event (30012) signed as the PBX signs it:
//
//	pbxsim post-event -url URL -secret SECRET \
//		-recording 20220412173331-1649756009.12-2002-2005-Internal.wav
//
// The secret defaults to $PBX_WEBHOOK_SECRET; without -recording the event
// is a call without a recording. It prints the answer and exits 1 unless
// it is 2xx.
package main
