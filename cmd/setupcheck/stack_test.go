package main

import (
	"context"
	"encoding/pem"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/recording-sync/recording-sync/internal/localenv/localenvtest"
	"github.com/recording-sync/recording-sync/internal/sqstest"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/webhook"
)

const (
	testClientID      = "setupcheck-client"
	testClientSecret  = "Cl1ent-S3cret-of-the-setup-check"
	testWebhookSecret = "W3bhook-secret-32-characters-xx"
)

// stack is the simulator, the local S3 server, the SQS endpoint and the
// webhook handler, with the environment that points the check at them.
type stack struct {
	sim       *yeastartest.Simulator
	pbx       *httptest.Server
	sqs       *sqstest.Server
	webhook   *httptest.Server
	queued    *atomic.Int64 // messages the webhook handler queued
	queueName string
}

// newStack starts a stack whose PBX serves TLS with a CA given in
// PBX_CA_CERT, and has one recording made an hour ago; t.Setenv points the
// check at it.
func newStack(t *testing.T) *stack {
	t.Helper()
	sim := yeastartest.New(yeastartest.Options{ClientID: testClientID, ClientSecret: testClientSecret})
	pbx := httptest.NewUnstartedServer(sim)
	pbx.Config.ErrorLog = log.New(io.Discard, "", 0) // the bad-certificate case's handshake errors
	pbx.StartTLS()
	t.Cleanup(func() { sim.Close(); pbx.Close() })
	at := time.Now().Add(-time.Hour).UTC()
	sim.AddRecording(yeastartest.Recording{ID: 41, File: at.Format("20060102150405") + "-1700000000.1-2001-2002-Internal.wav", Size: 1 << 20, Time: at})

	sqs := sqstest.New(sqstest.Options{})
	t.Cleanup(sqs.Close)
	queueURL := sqs.CreateQueue("recordings")

	s := &stack{sim: sim, pbx: pbx, sqs: sqs, queued: new(atomic.Int64), queueName: "recordings"}
	s.webhook = webhookServer(t, s.queued, nil)
	bucket := s3srv.NewBucket(t)

	for _, kv := range append(s3srv.S3(t).Env(), sqs.Env()[0]) {
		name, value, _ := strings.Cut(kv, "=")
		t.Setenv(name, value)
	}
	t.Setenv("PBX_BASE_URL", pbx.URL)
	t.Setenv("PBX_CA_CERT", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pbx.Certificate().Raw})))
	t.Setenv("PBX_CLIENT_ID", testClientID)
	t.Setenv("PBX_CLIENT_SECRET", testClientSecret)
	t.Setenv("PBX_WEBHOOK_SECRET", testWebhookSecret)
	t.Setenv("RECORDINGS_BUCKET", bucket)
	t.Setenv("RECORDINGS_QUEUE_URL", queueURL)
	t.Setenv("WEBHOOK_URL", s.webhook.URL+"/")
	return s
}

// webhookServer serves the webhook function's handler as its Function URL
// does, with opts (nil: the default PBX alone); queued counts what it
// queues.
func webhookServer(t *testing.T, queued *atomic.Int64, opts *webhook.Options) *httptest.Server {
	t.Helper()
	h, err := webhook.NewHandler(webhook.StaticKeyring(testWebhookSecret), senderFunc(func(context.Context, recording.Ref) error {
		queued.Add(1)
		return nil
	}), slog.New(slog.NewTextHandler(io.Discard, nil)), opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		headers := map[string]string{}
		for name := range r.Header {
			headers[strings.ToLower(name)] = r.Header.Get(name)
		}
		resp, err := h.Handle(r.Context(), events.LambdaFunctionURLRequest{
			RawPath: r.URL.Path, Body: string(body), Headers: headers,
			RequestContext: events.LambdaFunctionURLRequestContext{HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: r.Method, Path: r.URL.Path}},
		})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.WriteString(w, resp.Body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

type senderFunc func(context.Context, recording.Ref) error

func (f senderFunc) Send(ctx context.Context, ref recording.Ref) error { return f(ctx, ref) }

// runCheck runs the command with args and returns its exit code and output.
func runCheck(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out strings.Builder
	code := run(t.Context(), args, &out)
	t.Logf("exit %d\n%s", code, out.String())
	return code, out.String()
}

// closedURL is an https URL nothing listens on.
func closedURL(t *testing.T) string { return localenvtest.ClosedURL(t, "https") }
