package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/internal/localenv"
	"github.com/recording-sync/recording-sync/internal/sqstest"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/trigger"
)

// The many-PBX part of the demo: two PBXs listed in a registry file, each
// posting to its own webhook URL path, each stored under its own prefix.
const demoFleetKeys = "recordings/{pbx}/{yyyy}/{mm}/{dd}/{file}"

// demoFleetIDs are the PBXs of the many-PBX part. Each holds
// yeastartest.FleetRecordings: one file under the same name as the other
// PBX's (with bytes of its own), which {pbx} keeps apart.
var demoFleetIDs = []string{"hq", "branch"}

// fleetDemo runs a second webhook and copy function beside the
// single-PBX ones, started with PBX_REGISTRY_FILE and a {pbx} key
// template only: with PBX_BASE_URL too, {pbx} would move the single PBX's
// recordings under recordings/default/, away from what the rest of the
// demo shows. Each PBX posts a signed 30012 to its own URL path, hq's body
// at branch's path is 401, and the queued messages are copied and listed.
func fleetDemo(ctx context.Context, st *stack, out io.Writer) error {
	specs := make([]yeastartest.PBXSpec, len(demoFleetIDs))
	for i, id := range demoFleetIDs {
		specs[i] = yeastartest.PBXSpec{ID: id}
	}
	fleet, err := yeastartest.NewFleet(specs, yeastartest.FleetOptions{})
	if err != nil {
		return err
	}
	defer fleet.Close()
	registry := filepath.Join(st.dir, "pbx-registry.json")
	if err := fleet.WriteRegistry(registry); err != nil {
		return err
	}
	if err := printFleet(out, fleet, registry); err != nil {
		return err
	}
	q := sqstest.New(sqstest.Options{})
	defer q.Close()
	queueURL := q.CreateQueue(demoQueue)
	if err := postFromFleet(ctx, st, out, fleet, append(q.Env(), "RECORDINGS_QUEUE_URL="+queueURL, "PBX_REGISTRY_FILE="+registry)); err != nil {
		return err
	}
	msgs := q.Messages(demoQueue)
	if _, err := fmt.Fprintf(out, "  queued: %d message(s), each naming its PBX\n", len(msgs)); err != nil {
		return err
	}
	for _, m := range msgs {
		if _, err := fmt.Fprintf(out, "    %s\n", compact([]byte(m.Body), 110)); err != nil {
			return err
		}
	}
	if len(msgs) != len(demoFleetIDs) {
		return fmt.Errorf("the queue holds %d messages, want one per PBX", len(msgs))
	}
	if err := copyFleetQueue(ctx, st, out, q, queueURL, registry); err != nil {
		return err
	}
	return listFleetObjects(ctx, st, out, fleet)
}

// printFleet says what the many-PBX part runs with.
func printFleet(out io.Writer, fleet *yeastartest.Fleet, registry string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "\nMany PBXs, one stack: a second webhook and copy function, with PBX_REGISTRY_FILE=%s\n", filepath.Base(registry))
	for _, p := range fleet.PBXs() {
		fmt.Fprintf(&b, "  %-7s %s  (credentials and webhook secret of its own)\n", p.ID, p.URL)
	}
	fmt.Fprintf(&b, "and RECORDINGS_KEY_TEMPLATE=%s; both PBXs hold %s\n", demoFleetKeys, sharedFleetFile())
	_, err := io.WriteString(out, b.String())
	return err
}

// sharedFleetFile is the file name every PBX of the fleet holds.
func sharedFleetFile() string { return yeastartest.FleetRecordings(1)[0].File }

// postFromFleet starts the webhook with env behind a local Function URL,
// has each PBX post a signed call-end event to its own path, and has hq
// post its body to branch's path, which must be refused.
func postFromFleet(ctx context.Context, st *stack, out io.Writer, fleet *yeastartest.Fleet, env []string) error {
	bootstrap, err := localenv.BuildFunction(ctx, st.dir, "pbx-webhook")
	if err != nil {
		return err
	}
	wh, err := localenv.StartLambda(ctx, bootstrap, localenv.LambdaOptions{Env: append(env, "AWS_LAMBDA_FUNCTION_NAME=pbx-webhook"), Output: st.logs(out)})
	if err != nil {
		return err
	}
	defer func() { _ = wh.Close() }()
	site, err := startFunctionURL(wh)
	if err != nil {
		return err
	}
	defer site.close()
	client := &http.Client{Timeout: time.Minute}
	cdr := yeastartest.CDRFor(sharedFleetFile())
	// The call has just ended: older calls are the reconciler's (a replay).
	cdr.TimeStart = time.Now().UTC().Format(trigger.TimeStartLayout)
	for _, p := range fleet.PBXs() {
		what := fmt.Sprintf("PBX %s posts a signed call-end webhook (30012) to its own URL (deployed: <WebhookUrl>pbx/%s)", p.ID, p.ID)
		if err := post(ctx, out, client, p, site.URL+"/pbx/"+p.ID, cdr, what, http.StatusOK); err != nil {
			return err
		}
	}
	hq, branch := fleet.PBX(demoFleetIDs[0]), demoFleetIDs[1]
	what := fmt.Sprintf("PBX %s's body, signed with %s's secret, posted to %s's URL: %s checks its own secret", hq.ID, hq.ID, branch, branch)
	return post(ctx, out, client, hq, site.URL+"/pbx/"+branch, cdr, what, http.StatusUnauthorized)
}

// post has p post cdr to url and fails unless the answer is want.
func post(ctx context.Context, out io.Writer, client *http.Client, p *yeastartest.PBX, url string, cdr yeastartest.CDR, what string, want int) error {
	if _, err := fmt.Fprintf(out, "\n$ %s\n  POST %s\n", what, url); err != nil {
		return err
	}
	status, answer, err := p.PostCDR(ctx, client, url, cdr)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(out, "  answer: HTTP %d %s\n", status, strings.TrimSpace(answer)); err != nil {
		return err
	}
	if status != want {
		return fmt.Errorf("PBX %s at %s: HTTP %d, want %d", p.ID, url, status, want)
	}
	return nil
}

// copyFleetQueue starts the copy function for the registry's PBXs and
// feeds it the queue, as the event-source mapping does.
func copyFleetQueue(ctx context.Context, st *stack, out io.Writer, q *sqstest.Server, queueURL, registry string) error {
	env := append(append([]string(nil), st.s3Env...), "PBX_REGISTRY_FILE="+registry, "PBX_ALLOW_HTTP=true", "RECORDINGS_KEY_TEMPLATE="+demoFleetKeys)
	fn, err := localenv.StartLambda(ctx, st.bootstrap, localenv.LambdaOptions{Env: env, Output: st.logs(out)})
	if err != nil {
		return err
	}
	defer func() { _ = fn.Close() }()
	client, err := q.Client(ctx)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(out, "\n$ the queue's event-source mapping invokes the copy function (the same registry) with the messages"); err != nil {
		return err
	}
	esm := &localenv.EventSourceMapping{Queue: client, QueueURL: queueURL, Function: fn}
	res, err := esm.Drain(ctx)
	if err != nil {
		return err
	}
	if len(res.Failed) > 0 || res.Deleted != len(demoFleetIDs) {
		return fmt.Errorf("copy function: %d of %d messages failed: %s", len(res.Failed), res.Received, res.Response)
	}
	return nil
}

// listFleetObjects prints each PBX's prefix with its objects' sizes and
// x-amz-meta-pbx, and fails unless each holds its own PBX's recording.
func listFleetObjects(ctx context.Context, st *stack, out io.Writer, fleet *yeastartest.Fleet) error {
	c, err := st.s3.Client(ctx)
	if err != nil {
		return err
	}
	bucket := demoBucket
	var heads []*s3.HeadObjectOutput
	var keys []string
	for i, p := range fleet.PBXs() {
		key, head, err := fleetObject(ctx, c, p.ID, yeastartest.FleetRecordings(i + 1)[0].Size)
		if err != nil {
			return err
		}
		keys, heads = append(keys, key), append(heads, head)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n$ aws s3api list-objects-v2 --bucket %s --prefix recordings/<pbx>/  (and head-object for x-amz-meta-pbx)\n", bucket)
	width := len(slices.MaxFunc(keys, func(a, b string) int { return len(a) - len(b) }))
	for i, key := range keys {
		fmt.Fprintf(&b, "  %-*s %7d bytes  x-amz-meta-pbx: %s\n", width, key, *heads[i].ContentLength, heads[i].Metadata["pbx"])
	}
	_, err = io.WriteString(out, b.String())
	return err
}

// fleetObject returns the one object under PBX id's prefix, and fails
// unless it has the size of the PBX's recording and x-amz-meta-pbx id.
func fleetObject(ctx context.Context, c *s3.Client, id string, size int64) (string, *s3.HeadObjectOutput, error) {
	bucket, prefix := demoBucket, "recordings/"+id+"/"
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
	if err != nil {
		return "", nil, fmt.Errorf("list %s: %w", prefix, err)
	}
	if len(list.Contents) != 1 {
		return "", nil, fmt.Errorf("%s holds %d objects, want PBX %s's one recording", prefix, len(list.Contents), id)
	}
	key := *list.Contents[0].Key
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
	switch {
	case err != nil:
		return "", nil, fmt.Errorf("head %s: %w", key, err)
	case *head.ContentLength != size:
		return "", nil, fmt.Errorf("%s: %d bytes, want the %d of PBX %s's recording", key, *head.ContentLength, size, id)
	case head.Metadata["pbx"] != id:
		return "", nil, fmt.Errorf("%s: x-amz-meta-pbx %q, want %q", key, head.Metadata["pbx"], id)
	}
	return key, head, nil
}
