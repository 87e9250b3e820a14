package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/recording-sync/recording-sync/pkg/app"
	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/pbxregistry"
	"github.com/recording-sync/recording-sync/pkg/redact"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// options are the command's flags.
type options struct {
	pbx        string
	webhookURL string
	since      time.Duration
	timeout    time.Duration
}

// parseFlags reads args; WEBHOOK_URL is the default of -webhook-url.
func parseFlags(args []string, out io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("setupcheck", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&o.pbx, "pbx", "", "with a PBX registry, the id of the one PBX to check (default: every PBX)")
	fs.StringVar(&o.webhookURL, "webhook-url", os.Getenv("WEBHOOK_URL"), "the stack's WebhookUrl output (default $WEBHOOK_URL)")
	fs.DurationVar(&o.since, "since", 7*24*time.Hour, "how far back to look for a recent recording")
	fs.DurationVar(&o.timeout, "timeout", 2*time.Minute, "time allowed for the whole check")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return o, nil
}

// secretEnv are the variables whose values are secrets: masked wherever
// they would appear.
var secretEnv = []string{"PBX_CLIENT_SECRET", "PBX_WEBHOOK_SECRET", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}

// run checks the setup the environment describes, writes one line per step
// to out and returns the exit code: 0 when no step failed, 1 when one did,
// 2 for bad flags.
func run(ctx context.Context, args []string, out io.Writer) int {
	opts, err := parseFlags(args, out)
	if err != nil {
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, opts.timeout)
	defer cancel()
	red := redact.New()
	for _, name := range secretEnv {
		red.Add(os.Getenv(name))
	}
	rep := &reporter{w: out, red: red}
	check(ctx, opts, rep)
	if rep.failed {
		return 1
	}
	return 0
}

// check runs every step the configuration allows: the single PBX's as
// before when no registry is configured, else a section per PBX.
func check(ctx context.Context, opts options, rep *reporter) {
	cfg, err := config.Load(os.LookupEnv)
	if err != nil {
		rep.step(statusFail, "configuration", err.Error(), "set the variable as the functions have it (README, Configuration)")
		return
	}
	queueURL := os.Getenv("RECORDINGS_QUEUE_URL")
	rep.step(statusOK, "configuration", fmt.Sprintf("PBX %s, bucket %s, queue %s", orNone(cfg.PBXBaseURL), cfg.Bucket, orNone(queueURL)), "")
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithHTTPClient(awshttp.NewBuildableClient()))
	if err != nil {
		rep.step(statusFail, "AWS configuration", err.Error(), "set AWS_REGION and credentials (AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)")
		return
	}
	if cfg.Registry.Enabled() || (opts.pbx != "" && opts.pbx != pbxregistry.Default) {
		checkPBXs(ctx, fleetRun{cfg: cfg, awsCfg: awsCfg, queueURL: queueURL, webhookURL: opts.webhookURL, since: opts.since, pbx: opts.pbx}, rep)
		return
	}
	checkPBX(ctx, cfg, awsCfg, opts.since, rep)
	checkBucket(ctx, awsCfg, cfg, rep)
	checkQueue(ctx, awsCfg, queueURL, rep)
	checkWebhook(ctx, opts.webhookURL, rep)
}

// checkPBX runs the single PBX's steps, with credentials from the
// environment or from Secrets Manager.
func checkPBX(ctx context.Context, cfg config.Config, awsCfg aws.Config, since time.Duration, rep *reporter) {
	creds, err := app.Credentials(ctx, cfg, awsCfg, rep.red)
	if err != nil {
		rep.step(statusFail, "PBX credentials", err.Error(), "check that PBX_CREDENTIALS_SECRET names a secret these AWS credentials may read, holding client_id and client_secret")
		return
	}
	runPBXSteps(ctx, cfg, creds, envSettings, since, rep)
}

// runPBXSteps runs the steps of the PBX at cfg.PBXBaseURL, logging in at
// most once; set names where its settings are kept.
func runPBXSteps(ctx context.Context, cfg config.Config, creds yeastar.Credentials, set settings, since time.Duration, rep *reporter) {
	p, ok := newPBXCheck(cfg, creds, set, rep)
	if !ok || !p.reach(ctx) || !p.login(ctx) {
		return
	}
	defer p.logout(ctx)
	p.systemInformation(ctx)
	newest, ok := p.search(ctx, since)
	if ok {
		p.download(ctx, newest, since)
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
