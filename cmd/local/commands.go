package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/pkg/config"
	"github.com/recording-sync/recording-sync/pkg/reconcile"
)

// demo invokes the function with every sample event, posts a signed
// call-end webhook through the webhook function and the queue, then lists
// what landed in the bucket. It fails if any invocation failed.
func demo(ctx context.Context, out io.Writer) error {
	events, err := filepath.Glob("events/*.json")
	if err != nil || len(events) == 0 {
		return fmt.Errorf("no sample events in events/ (run from the repository root)")
	}
	sort.Strings(events)
	if _, err := fmt.Fprintln(out, "Starting the local S3 server, the PBX simulator and the function under the Lambda emulator..."); err != nil {
		return err
	}
	st, err := startStack(ctx, out, S3Target{})
	if err != nil {
		return err
	}
	defer st.close()
	failed := 0
	for _, ev := range events {
		ok, err := invokeFile(ctx, st, out, ev)
		if err != nil {
			return err
		}
		if !ok {
			failed++
		}
	}
	if err := webhookDemo(ctx, st, out); err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	if err := fleetDemo(ctx, st, out); err != nil {
		return fmt.Errorf("many PBXs: %w", err)
	}
	if err := showReconcile(ctx, st, out); err != nil {
		return err
	}
	stored, err := listBucket(ctx, st, out)
	if err != nil {
		return err
	}
	if err := st.metrics.print(out); err != nil {
		return err
	}
	if err := st.metrics.matches(out, stored); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d invocations failed", failed, len(events))
	}
	return nil
}

// invoke runs one event and prints the function's response, against the
// local S3 server or, when target names one, the user's.
func invoke(ctx context.Context, out io.Writer, event string, target S3Target) error {
	if target.Endpoint != "" {
		if _, err := fmt.Fprintf(out, "Using the S3 server at %s, bucket %s\n", target.Endpoint, target.Bucket); err != nil {
			return err
		}
	}
	st, err := startStack(ctx, out, target)
	if err != nil {
		return err
	}
	defer st.close()
	ok, err := invokeFile(ctx, st, out, event)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("the invocation failed")
	}
	return nil
}

// invokeFile sends the event in path and prints the response; ok is false
// when the function returned an error.
func invokeFile(ctx context.Context, st *stack, out io.Writer, path string) (ok bool, err error) {
	payload, err := os.ReadFile(path)
	if err != nil {
		return false, err
	}
	if _, err := fmt.Fprintf(out, "\n$ invoke %s\n  event: %s\n", path, compact(payload, 160)); err != nil {
		return false, err
	}
	resp, err := st.lambda.Invoke(ctx, payload)
	if err != nil {
		return false, err
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, resp, "  ", "  ") != nil {
		pretty.Write(resp)
	}
	if _, err := fmt.Fprintf(out, "  response: %s\n", pretty.String()); err != nil {
		return false, err
	}
	var failure struct {
		ErrorType string `json:"errorType"`
	}
	_ = json.Unmarshal(resp, &failure)
	return failure.ErrorType == "", nil
}

// stored is what the bucket holds of recordings.
type stored struct {
	recordings int
	bytes      int64
}

// listBucket prints every object in the demo bucket with its size and
// returns what it holds of recordings.
func listBucket(ctx context.Context, st *stack, out io.Writer) (stored, error) {
	var sum stored
	c, err := st.s3.Client(ctx)
	if err != nil {
		return sum, err
	}
	bucket := demoBucket
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket})
	if err != nil {
		return sum, fmt.Errorf("list bucket: %w", err)
	}
	if _, err := fmt.Fprintf(out, "\nObjects in s3://%s:\n", bucket); err != nil {
		return sum, err
	}
	for _, o := range list.Contents {
		note := objectNote(*o.Key)
		if note == "" {
			sum.recordings++
			sum.bytes += *o.Size
		}
		if _, err := fmt.Fprintf(out, "  %-76s %10d bytes%s\n", *o.Key, *o.Size, note); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// objectNote says what an object of the demo bucket is when it is not a
// recording, and is "" for a recording.
func objectNote(key string) string {
	switch key {
	case config.DefaultTokenCacheKey:
		return "  (the PBX token all instances share, not a recording)"
	case reconcile.DefaultStateKey:
		return "  (the reconciler's cursor and recently queued recordings, sealed)"
	}
	// The copy function keeps each further PBX's token at
	// .recording-sync/<id>/pbx-token.json.
	rest, _ := strings.CutPrefix(key, ".recording-sync/")
	if id, ok := strings.CutSuffix(rest, "/pbx-token.json"); ok && rest != key && !strings.Contains(id, "/") {
		return "  (PBX " + id + "'s token, not a recording)"
	}
	return ""
}

// compact renders a JSON document on one line, cut at n bytes.
func compact(doc []byte, n int) string {
	var b bytes.Buffer
	if json.Compact(&b, doc) != nil {
		b.Reset()
		b.Write(bytes.TrimSpace(doc))
	}
	if b.Len() > n {
		return b.String()[:n] + "..."
	}
	return b.String()
}
