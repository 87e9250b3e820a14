package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/recording-sync/recording-sync/internal/localenv"
	"github.com/recording-sync/recording-sync/internal/sqstest"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

// lostRecordings are in the simulated PBX but no sample event names them:
// their events were "lost", and only the reconciler finds them.
var lostRecordings = []yeastartest.Recording{
	{ID: 1740, File: "20220503091500-1651569300.51-2002-2008-Internal.wav", Size: 2 << 20, CallFrom: "2002", CallTo: "2008", CallType: "Internal"},
	{ID: 1741, File: "20220503235930-1651622370.77-5559876-2001-Inbound.wav", Size: 1 << 20, CallFrom: "5559876", CallTo: "2001", CallType: "Inbound"},
}

// The window the demo reconciles: it holds every sample recording.
const (
	demoFrom = "2022-04-01T00:00:00Z"
	demoTo   = "2022-06-01T00:00:00Z"
)

// syncLoop is the reconciler beside a running stack: the local queue, the
// reconcile function, and the event-source mapping that feeds the queue to
// the copy function.
type syncLoop struct {
	sqs       *sqstest.Server
	reconcile *localenv.Lambda
	mapping   *localenv.EventSourceMapping
}

// startSyncLoop adds the reconciler to st.
func startSyncLoop(ctx context.Context, st *stack, env []string, logs io.Writer) (*syncLoop, error) {
	l := &syncLoop{sqs: sqstest.New(sqstest.Options{})}
	queueURL := l.sqs.CreateQueue("recordings")
	bootstrap, err := localenv.BuildFunction(ctx, st.dir, "recording-reconcile")
	if err != nil {
		l.close()
		return nil, err
	}
	env = append(env, "RECORDINGS_QUEUE_URL="+queueURL, "AWS_ENDPOINT_URL_SQS="+l.sqs.URL(), "AWS_LAMBDA_FUNCTION_NAME=recording-reconcile")
	if l.reconcile, err = localenv.StartLambda(ctx, bootstrap, localenv.LambdaOptions{Env: env, Output: st.logs(logs), Timeout: 15 * time.Minute}); err != nil {
		l.close()
		return nil, err
	}
	client := sqs.New(sqs.Options{
		Region: localenv.S3Region, BaseEndpoint: aws.String(l.sqs.URL()),
		Credentials: credentials.NewStaticCredentialsProvider(localenv.S3AccessKey, localenv.S3SecretKey, ""),
	})
	l.mapping = &localenv.EventSourceMapping{Queue: client, QueueURL: queueURL, Function: st.lambda}
	return l, nil
}

func (l *syncLoop) close() {
	if l.reconcile != nil {
		_ = l.reconcile.Close()
	}
	l.sqs.Close()
}

// invoker is the reconcile function under the emulator (*localenv.Lambda).
type invoker interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

// maxReconcileRuns bounds reconcileUntilComplete: each run works its
// window for up to 15 minutes, so a window still incomplete after this
// many runs is not advancing (a PBX that keeps failing, say).
const maxReconcileRuns = 100

// reconcileUntilComplete invokes fn with the window until a run answers
// complete, printing each answer and a progress line: a backfill
// continues across runs.
func reconcileUntilComplete(ctx context.Context, fn invoker, out io.Writer, from, to string) error {
	return reconcileWithClock(ctx, fn, out, from, to, time.Now)
}

// reconcileWithClock is reconcileUntilComplete timed by now.
func reconcileWithClock(ctx context.Context, fn invoker, out io.Writer, from, to string, now func() time.Time) error {
	payload, err := json.Marshal(map[string]string{"from": from, "to": to})
	if err != nil {
		return err
	}
	prog := newProgress(out, from, to, now)
	queued := 0
	for run := 1; ; run++ {
		if run > maxReconcileRuns {
			return fmt.Errorf("the window %s..%s is not complete after %d runs: its cursor is saved; invoke again to continue", from, to, maxReconcileRuns)
		}
		if _, err := fmt.Fprintf(out, "\n$ invoke recording-reconcile %s (run %d)\n", payload, run); err != nil {
			return err
		}
		resp, err := fn.Invoke(ctx, payload)
		if err != nil {
			return err
		}
		var res struct {
			ErrorType string `json:"errorType"`
			Complete  bool   `json:"complete"`
			Done      int    `json:"done"`
			Total     int    `json:"total"`
			Queued    int    `json:"queued"`
		}
		_ = json.Unmarshal(resp, &res)
		if _, err := fmt.Fprintf(out, "  response: %s\n", compact(resp, 400)); err != nil {
			return err
		}
		if res.ErrorType != "" {
			return fmt.Errorf("the reconcile run failed: %s", res.ErrorType)
		}
		queued += res.Queued
		if err := prog.run(res.Done, res.Total, queued, res.Complete); err != nil {
			return err
		}
		if res.Complete {
			return nil
		}
	}
}

// showReconcile is the demo's last act: recordings whose events were lost
// are found by a reconcile run, queued, and copied from the queue.
func showReconcile(ctx context.Context, st *stack, out io.Writer) error {
	for _, r := range lostRecordings {
		st.sim.AddRecording(r)
	}
	if _, err := fmt.Fprintf(out, "\nThe PBX also holds %d recordings no event named (lost events). Reconciling %s..%s:\n", len(lostRecordings), demoFrom, demoTo); err != nil {
		return err
	}
	loop, err := startSyncLoop(ctx, st, st.env, out)
	if err != nil {
		return err
	}
	defer loop.close()
	if err := reconcileUntilComplete(ctx, loop.reconcile, out, demoFrom, demoTo); err != nil {
		return err
	}
	fed, err := loop.mapping.Drain(ctx)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "\nThe queue fed %d messages to the copy function: %d copied, %d failed.\n", fed.Received, fed.Deleted, len(fed.Failed))
	return err
}

// reconcileUsage is the reconcile command's usage.
const reconcileUsage = "usage: local reconcile [-remote | -function NAME] FROM TO (RFC 3339 times)"

// reconcileCmd runs `local reconcile [-remote | -function NAME] FROM TO`.
func reconcileCmd(ctx context.Context, out io.Writer, args []string) error {
	remote := len(args) > 0 && args[0] == "-remote"
	if remote {
		args = args[1:]
	}
	var function string
	if len(args) > 0 && args[0] == "-function" {
		if len(args) < 2 || args[1] == "" {
			return errors.New(reconcileUsage)
		}
		function, args = args[1], args[2:]
	}
	if len(args) != 2 || args[0] == "" || args[1] == "" {
		return errors.New(reconcileUsage)
	}
	switch {
	case function != "":
		return reconcileDeployed(ctx, out, function, args[0], args[1])
	case remote:
		return reconcileRemote(ctx, out, args[0], args[1])
	}
	st, err := startStack(ctx, out, S3Target{})
	if err != nil {
		return err
	}
	defer st.close()
	for _, r := range lostRecordings {
		st.sim.AddRecording(r)
	}
	loop, err := startSyncLoop(ctx, st, st.env, out)
	if err != nil {
		return err
	}
	defer loop.close()
	if err := reconcileUntilComplete(ctx, loop.reconcile, out, args[0], args[1]); err != nil {
		return err
	}
	fed, err := loop.mapping.Drain(ctx)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(out, "\nThe queue fed %d messages to the copy function: %d copied, %d failed.\n", fed.Received, fed.Deleted, len(fed.Failed)); err != nil {
		return err
	}
	if _, err := listBucket(ctx, st, out); err != nil {
		return err
	}
	return st.metrics.print(out)
}

// reconcileRemote runs the reconcile bootstrap under the emulator with the
// caller's environment (a real PBX, bucket and queue) until the window is
// complete.
func reconcileRemote(ctx context.Context, out io.Writer, from, to string) error {
	dir, err := os.MkdirTemp("", "recording-reconcile-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	bootstrap, err := localenv.BuildFunction(ctx, dir, "recording-reconcile")
	if err != nil {
		return err
	}
	fn, err := localenv.StartLambda(ctx, bootstrap, localenv.LambdaOptions{Output: &logFilter{w: out}, Timeout: 15 * time.Minute})
	if err != nil {
		return err
	}
	defer func() { _ = fn.Close() }()
	return reconcileUntilComplete(ctx, fn, out, from, to)
}
