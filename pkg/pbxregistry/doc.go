// Package pbxregistry is the list of the PBXs one stack serves: each PBX is
// an id (recording.ValidatePBX: a-z, 0-9 and "-", at most 32 characters)
// and one Entry (its base URL, API credentials, webhook secret and optional
// CA certificate).
//
// The list comes from a Source: the PBX_REGISTRY_FILE JSON file (local
// use: File), or one Secrets Manager secret per PBX under a name prefix
// (deployed: Secrets, id = the name after the prefix). Beside it, the
// single-PBX configuration of the environment is the PBX recording.DefaultPBX
// (Options.Default, FromConfig).
//
// A Registry caches the list and reads its source again at most once per
// refresh interval (5 minutes by default), so that a PBX added or removed
// is served or refused within it without a redeploy. A question about an
// unknown id is answered from the cache: guessing ids costs no read. A read
// that fails keeps the list last read, and says so through Options.OnRead.
//
// The package returns errors and reports; it never logs. Its errors and an
// Entry's String name ids and fields, never a secret's value; every
// Entry's Secrets reach the caller's redactor through Options.Redact.
package pbxregistry
