package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/recording-sync/recording-sync/internal/cli"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

// postEvent posts one signed 30012 event, as the PBX does when a call with
// a recording ends, to a webhook URL (a deployed stack's WebhookUrl, say),
// and prints the answer. A non-2xx answer is an error.
func postEvent(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("pbxsim post-event", flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("url", "", "the webhook `URL` (the stack's WebhookUrl output)")
	secret := fs.String("secret", "", "the webhook's secret (default $PBX_WEBHOOK_SECRET)")
	file := fs.String("recording", "", "recording `file` name the call-end event names (empty: a call without a recording)")
	sn := fs.String("sn", "3631A2124XXX", "the PBX's serial number")
	if err := fs.Parse(args); err != nil {
		return cli.UsageError{Err: err}
	}
	if *secret == "" {
		*secret = getenv("PBX_WEBHOOK_SECRET")
	}
	u, err := url.Parse(*target)
	switch {
	case fs.NArg() > 0:
		return cli.UsageError{Err: fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	case *target == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return cli.UsageError{Err: errors.New("-url must be the webhook's http(s) URL")}
	case *secret == "":
		return cli.UsageError{Err: errors.New("-secret (or $PBX_WEBHOOK_SECRET) is required")}
	}
	cdr := yeastartest.CDR{CallID: "1651057476.362", Status: "NO ANSWER", Type: "Internal"}
	if *file != "" {
		cdr = yeastartest.CDRFor(*file)
	}
	body, err := yeastartest.NewCDREvent(*sn, cdr)
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: 30 * time.Second}
	status, answer, err := yeastartest.PostEvent(ctx, client, *target, body, *secret)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(stdout, "posted %s\nHTTP %d %s\n", body, status, answer); err != nil {
		return err
	}
	if status < 200 || status > 299 {
		return fmt.Errorf("the webhook answered HTTP %d", status)
	}
	return nil
}
