package webhookapp

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/recording-sync/recording-sync/internal/secretstest"
	"github.com/recording-sync/recording-sync/internal/sqstest"
	"github.com/recording-sync/recording-sync/pkg/lambdafn"
	"github.com/recording-sync/recording-sync/pkg/redact"
	"github.com/recording-sync/recording-sync/pkg/webhook"
)

const (
	secretID  = "pbx/recording-sync/webhook"
	oldSecret = "Zx8Q2mW7pL4kT9vB3nR6yH1cJ5dF0gS2"
	newSecret = "Pq7Wn3Ks9Lm2Vb8Xc4Zr6Ty1Hg5Jd0Fa"
	callEnd   = `{"type":30012,"sn":"3631A2124XXX","msg":"{\"call_id\":\"1651057476.362\",\"time_start\":\"2022-04-27 19:04:36\",` +
		`\"status\":\"ANSWERED\",\"recording\":\"20220427190445-1651057476.362-2005-2002-Internal.wav\"}"}`
)

// wired is the webhook function as Build wires it, against the Secrets
// Manager and SQS test endpoints, on an injected clock.
type wired struct {
	h       *lambdafn.Handler
	secrets *secretstest.Server
	sqs     *sqstest.Server
	red     *redact.Redactor
	now     time.Time
	logs    bytes.Buffer
}

// newWired builds the function with PBX_WEBHOOK_SECRET_ID, the queue
// "recordings" and the variables of env, once the secrets of stored (by
// name) are there.
func newWired(t *testing.T, env, stored map[string]string) *wired {
	t.Helper()
	w := &wired{secrets: secretstest.New(), sqs: sqstest.New(sqstest.Options{}), red: redact.New(), now: time.Date(2022, 4, 27, 19, 5, 2, 0, time.UTC)}
	t.Cleanup(w.secrets.Close)
	t.Cleanup(w.sqs.Close)
	for _, kv := range append(w.sqs.Env(), w.secrets.Env()...) {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	for name, value := range stored {
		w.secrets.Put(name, value)
	}
	all := map[string]string{"RECORDINGS_QUEUE_URL": w.sqs.CreateQueue("recordings"), "PBX_WEBHOOK_SECRET_ID": secretID}
	maps.Copy(all, env)
	lookup := func(k string) (string, bool) { v, ok := all[k]; return v, ok }
	log := slog.New(slog.NewJSONHandler(&w.logs, nil))
	h, err := build(t.Context(), lookup, w.red, log, func() time.Time { return w.now })
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	w.h = h
	return w
}

// status posts the 30012 to path, signed with key, and returns the
// function's answer.
func (w *wired) status(t *testing.T, path, key string) int {
	t.Helper()
	req := events.LambdaFunctionURLRequest{RawPath: path, Body: callEnd, Headers: map[string]string{"x-signature": webhook.Sign([]byte(callEnd), key)}}
	req.RequestContext.HTTP.Method = "POST"
	payload, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := w.h.Invoke(t.Context(), payload)
	var resp events.LambdaFunctionURLResponse
	if err != nil || json.Unmarshal(raw, &resp) != nil {
		t.Fatalf("invoke %s: %s, %v", path, raw, err)
	}
	return resp.StatusCode
}

// post sends the 30012 signed with key at start+at and checks the answer
// and the secret's reads so far.
func (w *wired) post(t *testing.T, start time.Time, at time.Duration, key string, status, reads int) {
	t.Helper()
	w.now = start.Add(at)
	if got := w.status(t, "/", key); got != status {
		t.Errorf("at %v: answer %d, want %d", at, got, status)
	}
	if got := w.secrets.Reads(secretID); got != reads {
		t.Errorf("at %v: %d reads of the secret, want %d", at, got, reads)
	}
}

// TestSecretStoredAfterDeploy: the function starts with its secret
// created but empty, answers 503 with one clear line, reads the secret at
// most once a minute, and takes it without a restart once stored; after a
// rotation it reads it again on the new signature and keeps the old one
// for an hour.
func TestSecretStoredAfterDeploy(t *testing.T) {
	w := newWired(t, nil, nil)
	w.secrets.Create(secretID)
	start := w.now
	w.post(t, start, 0, oldSecret, 503, 1)
	if !strings.Contains(w.logs.String(), "no usable webhook secret yet, read again at most once a minute: secret "+secretID+": no webhook secret stored yet") {
		t.Errorf("no clear line for the missing secret in:\n%s", w.logs.String())
	}
	w.post(t, start, 30*time.Second, oldSecret, 503, 1)
	w.secrets.Put(secretID, oldSecret)
	w.post(t, start, 59*time.Second, oldSecret, 503, 1)
	w.post(t, start, time.Minute, oldSecret, 200, 2)

	w.secrets.Put(secretID, `{"webhook_secret":"`+newSecret+`"}`) // rotated, now as JSON
	w.post(t, start, time.Minute+time.Second, newSecret, 401, 2)
	w.post(t, start, 2*time.Minute, newSecret, 200, 3)
	w.post(t, start, 2*time.Minute, oldSecret, 200, 3)
	w.post(t, start, 2*time.Minute+webhook.PreviousSecretGrace, oldSecret, 401, 4)

	if n := len(w.sqs.Messages("recordings")); n != 3 {
		t.Errorf("%d messages queued, want 3", n)
	}
	for _, s := range []string{oldSecret, newSecret} {
		if strings.Contains(w.logs.String(), s) {
			t.Errorf("the log shows a secret:\n%s", w.logs.String())
		}
	}
}

// TestStaleCallAcknowledged: with the default lookback (26h), a 30012 for
// a call that started over 50 hours ago is answered 200 and not queued.
func TestStaleCallAcknowledged(t *testing.T) {
	w := newWired(t, nil, nil)
	w.secrets.Put(secretID, oldSecret)
	w.post(t, time.Date(2022, 4, 27, 19, 4, 36, 0, time.UTC), 50*time.Hour+time.Second, oldSecret, 200, 1)
	if n := len(w.sqs.Messages("recordings")); n != 0 {
		t.Errorf("%d messages queued, want none", n)
	}
	if !strings.Contains(w.logs.String(), "more than 50h0m0s ago: a replay or an overdue retry, not queued") {
		t.Errorf("no line for the stale call in:\n%s", w.logs.String())
	}
}
