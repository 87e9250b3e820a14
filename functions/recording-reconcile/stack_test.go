package main

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/internal/localenv"
	"github.com/recording-sync/recording-sync/internal/localenv/localenvtest"
	"github.com/recording-sync/recording-sync/internal/sqstest"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

// The end-to-end tests run the real bootstraps of the reconciler and the
// copy function, built like `sam build` does, under the Lambda Runtime
// Interface Emulator, against the PBX simulator, a real S3 server and the
// wire-level SQS endpoint, all on loopback; an event-source mapping feeds
// the queue to the copy function as Lambda does.

const (
	testClientID     = "e2e-reconcile-client"
	testClientSecret = "e2e-reconcile-secret-81d0"
)

var (
	reconcileBootstrap, copyBootstrap string
	s3Server                          *localenv.S3Server
)

func TestMain(m *testing.M) {
	os.Exit(localenvtest.E2EMain(m, []string{"recording-reconcile", "recording-sync"}, func(bootstraps map[string]string, s3 *localenv.S3Server) {
		reconcileBootstrap, copyBootstrap, s3Server = bootstraps["recording-reconcile"], bootstraps["recording-sync"], s3
	}))
}

// pbxZone is the simulated PBX's time zone.
var pbxZone = time.FixedZone("PBX", 2*3600)

// stack is the sync system on loopback: PBX, bucket, queue, both functions.
type stack struct {
	sim       *yeastartest.Simulator
	sqs       *sqstest.Server
	queueURL  string
	bucket    string
	s3        *s3.Client
	env       []string
	reconcile *localenv.Lambda
	copy      *localenv.Lambda
	mapping   *localenv.EventSourceMapping
	out       *localenv.Output
	s3Proxy   *localenv.FaultProxy // with stackOptions.countS3
	// invokeTimeout bounds an invocation: past the function's own timeout.
	invokeTimeout time.Duration
}

// stackOptions tune newStack.
type stackOptions struct {
	countS3  bool     // the reconciler reaches S3 through a proxy that records its requests
	extraEnv []string // more KEY=VALUE for the reconciler
	timeout  time.Duration
	noCopy   bool // no copy function (benchmarks of the reconciler alone)
	// sim configures the PBX simulator beyond its credentials (its time
	// zone: pbxZone unless set).
	sim yeastartest.Options
}

func newStack(t testing.TB, opts stackOptions) *stack {
	t.Helper()
	ctx := t.Context()
	st := &stack{out: &localenv.Output{}, invokeTimeout: max(10*time.Minute, opts.timeout+time.Minute)}
	simOpts := opts.sim
	simOpts.ClientID, simOpts.ClientSecret = testClientID, testClientSecret
	if simOpts.TimeZone == nil {
		simOpts.TimeZone = pbxZone
	}
	st.sim = yeastartest.NewServer(simOpts)
	t.Cleanup(st.sim.Close)
	st.sqs = sqstest.New(sqstest.Options{})
	t.Cleanup(st.sqs.Close)
	st.queueURL = st.sqs.CreateQueue("recordings")
	st.bucket = localenvtest.E2EBucket(t, s3Server, "reconcile")
	var err error
	if st.s3, err = s3Server.Client(ctx); err != nil {
		t.Fatal(err)
	}
	common := localenvtest.CopyEnv(s3Server, st.sim.URL(), testClientID, testClientSecret, st.bucket)
	// The reconciler under its own name (localenv's default is the copy
	// function's), as its metrics' function dimension.
	st.env = append(append([]string{}, common...), "AWS_LAMBDA_FUNCTION_NAME=recording-reconcile",
		"RECORDINGS_QUEUE_URL="+st.queueURL, "AWS_ENDPOINT_URL_SQS="+st.sqs.URL())
	if opts.countS3 {
		st.s3Proxy = localenvtest.FaultProxy(t, s3Server)
		st.env = append(st.env, "AWS_ENDPOINT_URL_S3="+st.s3Proxy.URL)
	}
	st.env = append(st.env, opts.extraEnv...)
	st.reconcile = startLambda(t, reconcileBootstrap, st.env, opts.timeout, st.out)
	if opts.noCopy {
		return st
	}
	st.copy = startLambda(t, copyBootstrap, common, 0, st.out)
	client, err := st.sqs.Client(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.mapping = &localenv.EventSourceMapping{Queue: client, QueueURL: st.queueURL, Function: st.copy}
	return st
}

// startLambda runs bootstrap under its own emulator until the test ends.
func startLambda(t testing.TB, bootstrap string, env []string, timeout time.Duration, out *localenv.Output) *localenv.Lambda {
	t.Helper()
	return localenvtest.StartLambda(t, bootstrap, localenv.LambdaOptions{Env: env, Output: out, Timeout: timeout})
}

// result is the reconciler's answer, or the emulator's error document.
type result struct {
	raw                   []byte
	ErrorType             string `json:"errorType"`
	ErrorMessage          string `json:"errorMessage"`
	Listed                int    `json:"listed"`
	AlreadyStored         int    `json:"alreadyStored"`
	Queued                int    `json:"queued"`
	SkippedRecentlyQueued int    `json:"skippedRecentlyQueued"`
	Lost                  int    `json:"lost"`
	NotDue                int    `json:"notDue"`
	Pages                 int    `json:"pages"`
	Complete              bool   `json:"complete"`
	Window                struct {
		From time.Time `json:"from"`
		To   time.Time `json:"to"`
	} `json:"window"`
}

// run invokes the reconciler with payload.
func (st *stack) run(t testing.TB, payload string) result {
	t.Helper()
	var r result
	r.raw = localenvtest.InvokeWithin(t, st.reconcile, payload, st.invokeTimeout, &r)
	return r
}

// backfill is the payload of a backfill of [from, to].
func backfill(from, to time.Time) string {
	return `{"from":"` + from.Format(time.RFC3339) + `","to":"` + to.Format(time.RFC3339) + `"}`
}

// fileAt is the PBX's file name of a recording made at t.
func fileAt(t time.Time, id int) string { return fileIn(pbxZone, t, id) }

// fileIn is the file name a PBX in zone gives a recording made at t.
func fileIn(zone *time.Location, t time.Time, id int) string {
	return fmt.Sprintf("%s-%d.%d-2001-2002-Inbound.wav", t.In(zone).Format("20060102150405"), 1700000000+id, id%100)
}

// add makes n recordings, one every step from start, IDs from firstID.
func (st *stack) add(start time.Time, step time.Duration, firstID, n int, size int64) []yeastartest.Recording {
	recs := make([]yeastartest.Recording, n)
	for i := range n {
		at := start.Add(time.Duration(i) * step)
		recs[i] = yeastartest.Recording{ID: firstID + i, File: fileAt(at, firstID+i), Size: size,
			CallFrom: "2001", CallTo: "2002", CallType: "Inbound", UID: fmt.Sprintf("uid-%d", firstID+i)}
		st.sim.AddRecording(recs[i])
	}
	return recs
}

// keys lists the recordings in the bucket (not the token and state).
func (st *stack) keys(t testing.TB) []string {
	t.Helper()
	return localenvtest.RecordingKeys(t, st.s3, st.bucket)
}
