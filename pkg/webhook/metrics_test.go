package webhook_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/recording-sync/recording-sync/internal/metricstest"
	"github.com/recording-sync/recording-sync/pkg/metrics"
	"github.com/recording-sync/recording-sync/pkg/queue"
	"github.com/recording-sync/recording-sync/pkg/webhook"
)

// requestCounts are the webhook's counters over some requests.
type requestCounts struct{ received, rejected, queued, permanent int }

func one(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkMetrics parses every line of logs as EMF, each of which must be a
// "webhook request" line carrying all four counters, and checks their
// totals against want.
func checkMetrics(t *testing.T, logs string, want requestCounts) {
	t.Helper()
	totals := metricstest.Totals{}
	lines := strings.Split(strings.TrimSpace(logs), "\n")
	for _, line := range lines {
		data, err := metricstest.Parse([]byte(line))
		if err != nil {
			t.Fatalf("line %s: %v", line, err)
		}
		if len(data) != 4 || !requestLine(line) {
			t.Errorf("want the four counters on each request line, got %v on %s", data, line)
		}
		totals.Add(data...)
	}
	fn := metrics.DimFunction + "=stack-pbx-webhook"
	got := requestCounts{
		received:  int(totals.Get(metrics.DefaultNamespace, metrics.WebhookEventsReceived.Name, fn)),
		rejected:  int(totals.Get(metrics.DefaultNamespace, metrics.WebhookSignaturesRejected.Name, fn)),
		queued:    int(totals.Get(metrics.DefaultNamespace, metrics.WebhookEventsQueued.Name, fn)),
		permanent: int(totals.Get(metrics.DefaultNamespace, metrics.WebhookQueueFailedPermanent.Name, fn)),
	}
	if got != want || len(totals) != 4 {
		t.Errorf("metrics %+v (%d series), want %+v, from:\n%s", got, len(totals), want, logs)
	}
}

// requestLine reports whether line is one of the request's lines: the
// usual one, or an acknowledged test message or event of another type.
func requestLine(line string) bool {
	for _, msg := range []string{"webhook request", "webhook test message", "webhook event ignored"} {
		if strings.Contains(line, `"msg":"`+msg+`"`) {
			return true
		}
	}
	return false
}

// TestMetricTotals sends one handler a mix of requests and checks the
// totals of its lines: every request received, the unsigned and wrongly
// signed ones rejected, only the 30012s that reached the queue queued.
func TestMetricTotals(t *testing.T) {
	signed := func(body string) events.LambdaFunctionURLRequest {
		return request("POST", body, webhook.Sign([]byte(body), secret))
	}
	other := `{"type":30011,"sn":"3631A2124XXX","msg":"{\"extension\":\"2005\"}"}`
	tests := []struct {
		name string
		reqs []events.LambdaFunctionURLRequest
		send error
		want requestCounts
	}{
		{"queued", []events.LambdaFunctionURLRequest{signed(withRecord), signed(withRecord), signed(withRecord)}, nil, requestCounts{3, 0, 3, 0}},
		{"ignored: not 30012", []events.LambdaFunctionURLRequest{signed(other), signed(withRecord)}, nil, requestCounts{2, 0, 1, 0}},
		{"ignored: no recording", []events.LambdaFunctionURLRequest{request("POST", body30012, sig30012)}, nil, requestCounts{1, 0, 0, 0}},
		{"bad signature", []events.LambdaFunctionURLRequest{
			request("POST", withRecord, ""),
			request("POST", withRecord, webhook.Sign([]byte(withRecord), "another-secret")),
			signed(withRecord),
		}, nil, requestCounts{3, 2, 1, 0}},
		{"not POST: received, not rejected", []events.LambdaFunctionURLRequest{
			request("GET", withRecord, webhook.Sign([]byte(withRecord), secret)),
		}, nil, requestCounts{1, 0, 0, 0}},
		{"503: queue unreachable", []events.LambdaFunctionURLRequest{signed(withRecord), signed(withRecord)},
			fmt.Errorf("send message: %w", context.DeadlineExceeded), requestCounts{2, 0, 0, 0}},
		{"500: the queue refuses for good", []events.LambdaFunctionURLRequest{signed(withRecord), signed(withRecord)},
			&queue.Error{Op: "send message", Code: "AccessDenied"}, requestCounts{2, 0, 0, 2}}, // built outside package queue: not retryable
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &sender{err: tt.send}
			h, logs := newHandler(t, s)
			for _, req := range tt.reqs {
				if _, err := h.Handle(t.Context(), req); err != nil {
					t.Fatal(err)
				}
			}
			checkMetrics(t, logs.String(), tt.want)
			if len(s.refs) != tt.want.queued {
				t.Errorf("%d queued, the metric says %d", len(s.refs), tt.want.queued)
			}
		})
	}
}

// TestNoMetricsWithoutEmitter: a nil emitter leaves the line as it was.
func TestNoMetricsWithoutEmitter(t *testing.T) {
	var logs bytes.Buffer
	h, err := webhook.NewHandler(webhook.StaticKeyring(secret), &sender{}, slog.New(slog.NewJSONHandler(&logs, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Handle(t.Context(), request("POST", withRecord, webhook.Sign([]byte(withRecord), secret))); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), `"reason":"queued"`) || strings.Contains(logs.String(), "_aws") || strings.Contains(logs.String(), "WebhookEvents") {
		t.Errorf("without an emitter: %s", logs.String())
	}
}
