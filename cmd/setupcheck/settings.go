package main

// settings names where a PBX's settings are kept, for the fixes the
// steps suggest: the environment for the single PBX, the registry's entry
// for each of many.
type settings struct {
	baseURL   string // e.g. "PBX_BASE_URL"
	caCert    string // how to set the CA, e.g. "set PBX_CA_CERT to that CA's PEM (or a path to it)"
	badCACert string // what to do when the CA given is not PEM
	allowHTTP string // what let a plain-HTTP URL through
	creds     string // where Client ID and Client Secret go
	noCreds   string // what to do when they are missing
}

// envSettings are the single PBX's: the functions' environment.
var envSettings = settings{ //nolint:gosec // G101: names of variables, no values
	baseURL:   "PBX_BASE_URL",
	caCert:    "set PBX_CA_CERT to that CA's PEM (or a path to it)",
	badCACert: "set PBX_CA_CERT to the PEM of the CA that signed the PBX's certificate, or a path to it",
	allowHTTP: "PBX_ALLOW_HTTP",
	creds:     "PBX_CLIENT_ID/PBX_CLIENT_SECRET (or the secret PBX_CREDENTIALS_SECRET names)",
	noCreds:   "set PBX_CLIENT_ID and PBX_CLIENT_SECRET (Integrations > API in the PBX portal)",
}

// entrySettings are those of PBX id in the registry, whose entry is kept
// in where (a file's entry, or a secret).
func entrySettings(id, where string) settings {
	in := " of PBX " + id + " in " + where
	return settings{
		baseURL:   "base_url" + in,
		caCert:    "set ca_cert" + in + " to that CA's PEM",
		badCACert: "set ca_cert" + in + " to the PEM of the CA that signed the PBX's certificate",
		allowHTTP: "base_url" + in + " is http://",
		creds:     "client_id and client_secret" + in,
		noCreds:   "set client_id and client_secret" + in + " (Integrations > API in the PBX portal)",
	}
}
