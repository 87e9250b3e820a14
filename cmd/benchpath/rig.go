package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/internal/localenv"
	"github.com/recording-sync/recording-sync/internal/sqstest"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

// Credentials of the simulated PBX and the webhook's secret; they open
// nothing but loopback servers.
const (
	pbxClientID     = "bench-client-id"
	pbxClientSecret = "bench-client-secret-5d2e8b"
	webhookSecret   = "bench-webhook-secret-0123456789a" //nolint:gosec // the simulator's, 32 characters as the PBX shows
	pbxSerial       = "3631A2124XXX"
	queueName       = "recording-sync-RecordingQueue"
	bucket          = "recordings"
	// copyTimeout is the copy function's Timeout in template.yaml.
	copyTimeout = 300 * time.Second
)

// rig is everything one run starts: the S3 server behind a counting proxy,
// the PBX simulator, the queue, the webhook's and the copy function's
// instances.
type rig struct {
	dir     string
	s3      *localenv.S3Server
	proxy   *localenv.FaultProxy // counts the functions' S3 requests; HTTPS, as S3
	cert    *localenv.CertFiles  // the proxy's, which the copies trust (AWS_CA_BUNDLE)
	s3c     *s3.Client           // the bench's own client, not counted
	sim     *yeastartest.Simulator
	sqs     *sqstest.Server
	queue   string
	hooks   chan *localenv.Lambda // free webhook instances
	hookAll []*localenv.Lambda
	copies  []*instance
}

// instance is one copy function instance and everything it printed.
type instance struct {
	lambda *localenv.Lambda
	out    *localenv.Output
}

// startRig starts the rig for s.
func startRig(ctx context.Context, s setting, bootstraps map[string]string) (_ *rig, err error) {
	r := &rig{}
	defer func() {
		if err != nil {
			r.close()
		}
	}()
	if r.dir, err = os.MkdirTemp(dataRoot(), "benchpath-"); err != nil {
		return nil, err
	}
	if err := r.startStorage(ctx); err != nil {
		return nil, err
	}
	r.sim = yeastartest.NewServer(yeastartest.Options{ClientID: pbxClientID, ClientSecret: pbxClientSecret, MP3SingleDownload: true})
	r.sim.ThrottleDownload("", s.PBXRate)
	r.sqs = sqstest.New(sqstest.Options{VisibilityTimeout: time.Duration(s.VisibilityTimeout) * time.Second})
	r.queue = r.sqs.CreateQueue(queueName)
	if err := r.startWebhooks(ctx, s, bootstraps["pbx-webhook"]); err != nil {
		return nil, err
	}
	return r, r.startCopies(ctx, s, bootstraps["recording-sync"])
}

// dataRoot is where the S3 server keeps the run's objects: in memory
// (/dev/shm) when the machine has it, so that the disk's speed and other
// work on it do not enter the figures; else the temporary directory.
func dataRoot() string {
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		return "/dev/shm"
	}
	return ""
}

// startStorage starts the S3 server with the bucket, and the proxy that
// counts what the functions ask of it. The functions reach the proxy over
// HTTPS, as they reach S3: over plain HTTP the SDK signs every payload
// (SHA-256) and sends none streamed, which it does not do on AWS.
func (r *rig) startStorage(ctx context.Context) error {
	data := filepath.Join(r.dir, "s3")
	if err := os.Mkdir(data, 0o750); err != nil {
		return err
	}
	var err error
	if r.s3, err = localenv.StartS3(ctx, data, nil); err != nil {
		return err
	}
	if err := r.s3.CreateBucket(ctx, bucket); err != nil {
		return fmt.Errorf("create bucket: %w", err)
	}
	if r.s3c, err = r.s3.Client(ctx); err != nil {
		return err
	}
	if r.cert, err = localenv.NewCert(r.dir); err != nil {
		return err
	}
	r.proxy, err = localenv.NewFaultProxyTLS(r.s3.Endpoint, r.cert)
	return err
}

// startWebhooks starts s.Webhooks instances of the webhook function.
func (r *rig) startWebhooks(ctx context.Context, s setting, bootstrap string) error {
	env := append(r.sqs.Env(), "AWS_LAMBDA_FUNCTION_NAME=pbx-webhook", "RECORDINGS_QUEUE_URL="+r.queue, "PBX_WEBHOOK_SECRET="+webhookSecret)
	r.hooks = make(chan *localenv.Lambda, s.Webhooks)
	for range s.Webhooks {
		l, err := localenv.StartLambda(ctx, bootstrap, localenv.LambdaOptions{Env: env})
		if err != nil {
			return err
		}
		r.hookAll = append(r.hookAll, l)
		r.hooks <- l
	}
	return nil
}

// startCopies starts as many copy function instances as the queue's
// maximum concurrency allows: each emulator runs one invocation at a time,
// as one Lambda execution environment does.
func (r *rig) startCopies(ctx context.Context, s setting, bootstrap string) error {
	env := append(r.s3.Env(),
		"AWS_ENDPOINT_URL_S3="+r.proxy.URL,
		"AWS_CA_BUNDLE="+r.cert.CertFile,
		"RECORDINGS_BUCKET="+bucket,
		"PBX_BASE_URL="+r.sim.URL(),
		"PBX_ALLOW_HTTP=true", // the simulator serves plain HTTP on loopback
		"PBX_CLIENT_ID="+pbxClientID,
		"PBX_CLIENT_SECRET="+pbxClientSecret,
		"BATCH_CONCURRENCY="+strconv.Itoa(s.BatchConcurrency),
		// The queue the copies consume, which they hand records waiting
		// for a busy PBX back to, as the template sets it.
		"AWS_ENDPOINT_URL_SQS="+r.sqs.URL(),
		"RECORDINGS_QUEUE_URL="+r.queue,
	)
	if s.DefaultUploader {
		// The SDK's default uploader: manager.NewUploader's 5 MiB parts,
		// 5 in flight, in place of the function's sizing for its memory.
		env = append(env, "UPLOAD_SDK_DEFAULT=true")
	}
	env = append(env, s.Env...)
	for range s.MaxConcurrency {
		out := &localenv.Output{}
		l, err := localenv.StartLambda(ctx, bootstrap, localenv.LambdaOptions{Env: env, Memory: s.Memory, Timeout: copyTimeout, Output: out, Limit: s.Limit})
		if err != nil {
			return err
		}
		r.copies = append(r.copies, &instance{lambda: l, out: out})
	}
	return nil
}

// close stops everything started and removes the S3 server's data.
func (r *rig) close() {
	for _, c := range r.copies {
		_ = c.lambda.Close() // the emulator's exit status says nothing about the run
	}
	for _, l := range r.hookAll {
		_ = l.Close()
	}
	if r.sqs != nil {
		r.sqs.Close()
	}
	if r.sim != nil {
		r.sim.Close()
	}
	if r.proxy != nil {
		r.proxy.Close()
	}
	if r.s3 != nil {
		_ = r.s3.Close()
	}
	if r.dir != "" {
		_ = os.RemoveAll(r.dir) //nolint:gosec // G703: the directory MkdirTemp made for this run
	}
}
