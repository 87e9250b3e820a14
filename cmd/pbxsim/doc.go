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
package main
