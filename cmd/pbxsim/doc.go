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
// To test a webhook by hand (a deployed stack's WebhookUrl output), post a
// call-end event (30012) signed as the PBX signs it:
//
//	pbxsim post-event -url URL -secret SECRET //		-recording 20220412173331-1649756009.12-2002-2005-Internal.wav
//
// The secret defaults to $PBX_WEBHOOK_SECRET; without -recording the event
// is a call without a recording. It prints the answer and exits 1 unless
// it is 2xx.
package main
