package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"sort"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/internal/localenv"
	"github.com/recording-sync/recording-sync/internal/sqstest"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/trigger"
)

// The webhook part of the demo: what the PBX posts when a call ends, and a
// recording the demo's simulated PBX holds for it.
const (
	demoWebhookSecret = "demo-webhook-secret-0123456789ab" //nolint:gosec // the local simulator's, 32 characters as the PBX shows
	demoWebhookFile   = "20220503101500-1651572900.3-5566-5556-Internal.wav"
	demoQueue         = "recording-sync-RecordingQueue"
)

// webhookDemo starts the SQS test endpoint and the webhook function under
// a second emulator, posts a signed call-end event as the PBX does, feeds
// the queue to the copy function as Lambda's event-source mapping would,
// and prints the stored recording's metadata.
func webhookDemo(ctx context.Context, st *stack, out io.Writer) error {
	st.sim.AddRecording(yeastartest.Recording{ID: 1740, File: demoWebhookFile, Size: 6 << 20})
	bootstrap, err := localenv.BuildFunction(ctx, st.dir, "pbx-webhook")
	if err != nil {
		return err
	}
	q := sqstest.New(sqstest.Options{})
	defer q.Close()
	queueURL := q.CreateQueue(demoQueue)
	env := append(q.Env(), "AWS_LAMBDA_FUNCTION_NAME=pbx-webhook", "RECORDINGS_QUEUE_URL="+queueURL, "PBX_WEBHOOK_SECRET="+demoWebhookSecret)
	wh, err := localenv.StartLambda(ctx, bootstrap, localenv.LambdaOptions{Env: env, Output: st.logs(out)})
	if err != nil {
		return err
	}
	defer func() { _ = wh.Close() }()

	cdr := yeastartest.CDRFor(demoWebhookFile)
	cdr.CallFrom, cdr.CallTo = "Zoë Brandt<5566>", "Dave Harris<5556>"
	// The call has just ended: the webhook does not queue a call that
	// started before the reconciler's lookback (a replay).
	cdr.TimeStart = time.Now().UTC().Format(trigger.TimeStartLayout)
	body, err := yeastartest.NewCDREvent("3631A2124XXX", cdr)
	if err != nil {
		return err
	}
	payload, err := yeastartest.WebhookInvocation(body, demoWebhookSecret)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(out, "\n$ the PBX posts a signed call-end webhook (30012) to the webhook function's URL\n  body: %s\n", body); err != nil {
		return err
	}
	answer, err := wh.Invoke(ctx, payload)
	if err != nil {
		return err
	}
	var resp events.LambdaFunctionURLResponse
	if err := json.Unmarshal(answer, &resp); err != nil || resp.StatusCode != 200 {
		return fmt.Errorf("the webhook answered %s", answer)
	}
	msgs := q.Messages(demoQueue)
	if _, err := fmt.Fprintf(out, "  answer: HTTP %d\n  queued: %d message(s)\n", resp.StatusCode, len(msgs)); err != nil {
		return err
	}
	for _, m := range msgs {
		if _, err := fmt.Fprintf(out, "    %s\n", m.Body); err != nil {
			return err
		}
	}
	client, err := q.Client(ctx)
	if err != nil {
		return err
	}
	esm := &localenv.EventSourceMapping{Queue: client, QueueURL: queueURL, Function: st.lambda}
	if _, err := fmt.Fprintln(out, "\n$ the queue's event-source mapping invokes the copy function with the message"); err != nil {
		return err
	}
	res, err := esm.Drain(ctx)
	if err != nil {
		return err
	}
	if len(res.Failed) > 0 || res.Deleted != len(msgs) {
		return fmt.Errorf("copy function: %d of %d messages failed: %s", len(res.Failed), res.Received, res.Response)
	}
	return printMetadata(ctx, st, out, "recordings/2022/05/03/"+demoWebhookFile)
}

// printMetadata prints an object's size, type and user metadata, decoded.
func printMetadata(ctx context.Context, st *stack, out io.Writer, key string) error {
	c, err := st.s3.Client(ctx)
	if err != nil {
		return err
	}
	bucket := demoBucket
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return fmt.Errorf("the webhook's recording is not in the bucket: %w", err)
	}
	if _, err := fmt.Fprintf(out, "\n$ aws s3api head-object --bucket %s --key %s\n  %d bytes, %s, metadata:\n", bucket, key, *head.ContentLength, *head.ContentType); err != nil {
		return err
	}
	keys := make([]string, 0, len(head.Metadata))
	for k := range head.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := head.Metadata[k]
		decoded := ""
		if d, err := url.PathUnescape(v); err == nil && d != v {
			decoded = "  (" + d + ")"
		}
		if _, err := fmt.Fprintf(out, "    x-amz-meta-%-16s %s%s\n", k+":", v, decoded); err != nil {
			return err
		}
	}
	return nil
}
