package main

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/recording-sync/recording-sync/internal/localenv"
	"github.com/recording-sync/recording-sync/internal/localenv/localenvtest"
	"github.com/recording-sync/recording-sync/internal/sqstest"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
)

// The end-to-end tests run the webhook's and the copy function's real
// bootstraps, each under its own Runtime Interface Emulator, with the SQS
// test endpoint between them, the PBX simulator and a real S3 server.

const (
	testSecret       = "Zx8Q2mW7pL4kT9vB3nR6yH1cJ5dF0gS2" // 32 characters, as the PBX makes them
	testClientID     = "e2e-client-id"
	testClientSecret = "e2e-client-secret-7d2e"
)

var (
	webhookBootstrap, copyBootstrap string
	s3Server                        *localenv.S3Server
)

func TestMain(m *testing.M) {
	os.Exit(localenvtest.E2EMain(m, []string{"pbx-webhook", "recording-sync"}, func(bootstraps map[string]string, s3 *localenv.S3Server) {
		webhookBootstrap, copyBootstrap, s3Server = bootstraps["pbx-webhook"], bootstraps["recording-sync"], s3
	}))
}

// stack is the webhook function, the queue, and (with a copy function)
// the PBX simulator and a fresh bucket.
type stack struct {
	sqs      *sqstest.Server
	queueURL string
	webhook  *localenv.Lambda
	out      *localenv.Output // the webhook's output
	sim      *yeastartest.Simulator
	bucket   string
	copy     *localenv.Lambda
	copyOut  *localenv.Output
	esm      *localenv.EventSourceMapping
}

// newWebhook starts the SQS endpoint and the webhook function with its
// secret in PBX_WEBHOOK_SECRET.
func newWebhook(t testing.TB) *stack {
	t.Helper()
	return newWebhookEnv(t, "PBX_WEBHOOK_SECRET="+testSecret)
}

// newWebhookEnv starts the SQS endpoint and the webhook function with
// secretEnv telling it where its secret is.
func newWebhookEnv(t testing.TB, secretEnv ...string) *stack {
	t.Helper()
	st := &stack{sqs: sqstest.New(sqstest.Options{}), out: &localenv.Output{}}
	t.Cleanup(st.sqs.Close)
	st.queueURL = st.sqs.CreateQueue("recording-sync-RecordingQueue")
	env := append(st.sqs.Env(),
		"AWS_LAMBDA_FUNCTION_NAME=pbx-webhook",
		"RECORDINGS_QUEUE_URL="+st.queueURL,
	)
	env = append(env, secretEnv...)
	st.webhook = startLambda(t, webhookBootstrap, env, st.out)
	return st
}

// withCopy adds the PBX simulator, a bucket, the copy function and the
// event-source mapping that feeds it the queue.
func (st *stack) withCopy(t testing.TB) *stack {
	t.Helper()
	ctx := t.Context()
	st.sim = yeastartest.NewServer(yeastartest.Options{ClientID: testClientID, ClientSecret: testClientSecret})
	t.Cleanup(st.sim.Close)
	st.bucket = localenvtest.E2EBucket(t, s3Server, "webhook-e2e")
	env := localenvtest.CopyEnv(s3Server, st.sim.URL(), testClientID, testClientSecret, st.bucket)
	st.copyOut = &localenv.Output{}
	st.copy = startLambda(t, copyBootstrap, env, st.copyOut)
	client, err := st.sqs.Client(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.esm = &localenv.EventSourceMapping{Queue: client, QueueURL: st.queueURL, Function: st.copy}
	return st
}

// startLambda runs bootstrap under its own emulator until the test ends.
func startLambda(t testing.TB, bootstrap string, env []string, out *localenv.Output) *localenv.Lambda {
	t.Helper()
	return localenvtest.StartLambda(t, bootstrap, localenv.LambdaOptions{Env: env, Output: out})
}

// functionURLEvent is the event Lambda delivers for a POST to the
// function's URL with body and the PBX's headers.
func functionURLEvent(method string, body []byte, signature string) []byte {
	req := events.LambdaFunctionURLRequest{
		Version: "2.0", RawPath: "/", Body: string(body),
		Headers: map[string]string{
			"content-type": "application/json", "host": "abcdefghij.lambda-url.eu-west-1.on.aws",
			"content-length": fmt.Sprint(len(body)), "x-forwarded-proto": "https",
		},
	}
	if signature != "" {
		req.Headers["x-signature"] = signature
	}
	req.RequestContext.HTTP.Method = method
	req.RequestContext.HTTP.Path = "/"
	req.RequestContext.HTTP.Protocol = "HTTP/1.1"
	req.RequestContext.HTTP.SourceIP = "203.0.113.7"
	req.RequestContext.HTTP.UserAgent = "Yeastar"
	req.RequestContext.RequestID = "b1c9e5d2-0000-4000-8000-000000000001"
	b, err := json.Marshal(req)
	if err != nil {
		panic(err)
	}
	return b
}

// post invokes the webhook function with a Function URL event and returns
// its answer.
func (st *stack) post(t testing.TB, payload []byte) events.LambdaFunctionURLResponse {
	t.Helper()
	raw, err := st.webhook.Invoke(t.Context(), payload)
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	var resp events.LambdaFunctionURLResponse
	if err := json.Unmarshal(raw, &resp); err != nil || resp.StatusCode == 0 {
		t.Fatalf("answer %s is not a Function URL response: %v", raw, err)
	}
	return resp
}
