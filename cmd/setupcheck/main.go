// Command setupcheck checks a recording-sync setup from end to end, against
// the real PBX and the deployed stack, with one line per step and what to
// do when a step fails: reaching the PBX (TLS, certificate), logging in
// (once), system/information (model, firmware, date format, time zone and
// clock), the recording/search permission, a recording/download link for
// one recent recording (the file itself is not downloaded), the bucket and
// the queue with the caller's AWS credentials, and the webhook's URL.
//
// It reads the functions' environment (PBX_BASE_URL, PBX_CLIENT_ID and
// PBX_CLIENT_SECRET or PBX_CREDENTIALS_SECRET, PBX_CA_CERT,
// RECORDINGS_BUCKET, RECORDINGS_QUEUE_URL, AWS_*) and takes the stack's
// WebhookUrl as -webhook-url (or WEBHOOK_URL). It never prints a secret,
// and exits 1 when a step failed.
//
// With a PBX registry (PBX_REGISTRY_FILE, or PBX_SECRET_PREFIX: the
// stack's PbxSecretPrefix) it checks every PBX, or the one --pbx names, in
// a section per PBX with the PBX's steps and its webhook URL
// (<WebhookUrl>pbx/<id>), logging in at most once per PBX, and exits 1
// when any PBX failed; an id the registry lacks is an error naming the ids
// it has.
//
//	setupcheck [--pbx ID] [-webhook-url URL] [-since 168h] [-timeout 2m]
package main

import (
	"context"
	"os"

	"github.com/recording-sync/recording-sync/internal/cli"
)

func main() {
	cli.Main("setupcheck", func(ctx context.Context) error { return cli.ExitCode(run(ctx, os.Args[1:], os.Stdout)) })
}
