package queue_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/internal/sqstest"
	"github.com/recording-sync/recording-sync/pkg/queue"
	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/trigger"
)

func newSender(t *testing.T) (*queue.Sender, *sqstest.Server) {
	t.Helper()
	// One attempt: the faults below are about classification, not the
	// SDK's own retries.
	srv, client := sqstest.Start(t, sqstest.Options{})
	return queue.New(client, srv.CreateQueue("recordings")), srv
}

func ref(n int) recording.Ref {
	return recording.Ref{ID: int64(n), File: fmt.Sprintf("20220112173629-1641980184.%d-5566-5556-Internal.wav", n),
		Call: &recording.Call{ID: fmt.Sprintf("1641980184.%d", n), From: "Zoë<5566>", SN: "3631A2124XXX"}}
}

// queued decodes every message the queue holds as the copy function would.
func queued(t *testing.T, srv *sqstest.Server) []recording.Ref {
	t.Helper()
	var refs []recording.Ref
	for _, m := range srv.Messages("recordings") {
		r, err := trigger.DecodeDirect([]byte(m.Body))
		if err != nil {
			t.Fatalf("queued body %s: %v", m.Body, err)
		}
		refs = append(refs, r)
	}
	return refs
}

func TestSend(t *testing.T) {
	s, srv := newSender(t)
	want := ref(1)
	if err := s.Send(t.Context(), want); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got := queued(t, srv); len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Errorf("queue holds %+v, want %+v", got, want)
	}
	var inv *recording.InvalidInputError
	if err := s.Send(t.Context(), recording.Ref{File: "../x.wav"}); !errors.As(err, &inv) {
		t.Errorf("Send(bad ref) = %v, want an *InvalidInputError", err)
	}
	if srv.Requests("SendMessage") != 1 {
		t.Errorf("a bad ref reached SQS")
	}
}

// TestSendBatch sends 25 refs in 3 calls; every one is queued exactly once.
func TestSendBatch(t *testing.T) {
	s, srv := newSender(t)
	var refs []recording.Ref
	for i := range 25 {
		refs = append(refs, ref(i+1))
	}
	errs, err := s.SendBatch(t.Context(), refs)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range errs {
		if e != nil {
			t.Errorf("ref %d: %v", i, e)
		}
	}
	if n := srv.Requests("SendMessageBatch"); n != 3 {
		t.Errorf("%d SendMessageBatch calls, want 3", n)
	}
	if got := queued(t, srv); !reflect.DeepEqual(got, refs) {
		t.Errorf("queue holds %d refs, want the 25 sent in order", len(got))
	}
}

// TestSendBatchPartialFailure: entries SQS refuses are reported, by ref,
// and are not on the queue; the others are.
func TestSendBatchPartialFailure(t *testing.T) {
	s, srv := newSender(t)
	refs := []recording.Ref{ref(1), {File: "a/b.wav"}, ref(3), ref(4)}
	srv.FailEntries(1, "InternalError", false) // hits ref(1), the first entry sent
	errs, err := s.SendBatch(t.Context(), refs)
	if err != nil {
		t.Fatal(err)
	}
	var qe *queue.Error
	if !errors.As(errs[0], &qe) || qe.Code != "InternalError" || !queue.Retryable(errs[0]) {
		t.Errorf("errs[0] = %v, want a retryable InternalError", errs[0])
	}
	var inv *recording.InvalidInputError
	if !errors.As(errs[1], &inv) || queue.Retryable(errs[1]) {
		t.Errorf("errs[1] = %v, want an *InvalidInputError", errs[1])
	}
	if errs[2] != nil || errs[3] != nil {
		t.Errorf("errs[2:] = %v, want nil", errs[2:])
	}
	if got := queued(t, srv); !reflect.DeepEqual(got, []recording.Ref{ref(3), ref(4)}) {
		t.Errorf("queue holds %+v, want refs 3 and 4 only", got)
	}
	srv.FailEntries(1, "InvalidMessageContents", true)
	errs, _ = s.SendBatch(t.Context(), []recording.Ref{ref(5)})
	if errs[0] == nil || queue.Retryable(errs[0]) {
		t.Errorf("a sender-fault entry: %v, want a permanent error", errs[0])
	}
	if got := srv.Faults(); got != (sqstest.FaultCounts{Entries: 2}) {
		t.Errorf("faults fired: %+v, want 2 refused entries", got)
	}
}

func TestClassification(t *testing.T) {
	tests := []struct {
		name      string
		arm       func(srv *sqstest.Server)
		url       string
		retryable bool
		code      string
	}{
		{"throttled", func(s *sqstest.Server) { s.FailRequests("SendMessageBatch", 1, 400, "ThrottlingException") }, "", true, "ThrottlingException"},
		{"request throttled", func(s *sqstest.Server) { s.FailRequests("SendMessageBatch", 1, 400, "RequestThrottled") }, "", true, "RequestThrottled"},
		{"internal error", func(s *sqstest.Server) { s.FailRequests("SendMessageBatch", 1, 500, "InternalError") }, "", true, "InternalError"},
		{"unavailable", func(s *sqstest.Server) { s.FailRequests("SendMessageBatch", 1, 503, "ServiceUnavailable") }, "", true, "ServiceUnavailable"},
		{"access denied", func(s *sqstest.Server) { s.FailRequests("SendMessageBatch", 1, 400, "AccessDenied") }, "", false, "AccessDenied"},
		{"no such queue", nil, "/" + sqstest.AccountID + "/gone", false, "AWS.SimpleQueueService.NonExistentQueue"},
		{"network", func(s *sqstest.Server) { s.Close() }, "", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, client := sqstest.Start(t, sqstest.Options{})
			url := srv.CreateQueue("recordings")
			if tt.url != "" {
				url = srv.URL() + tt.url
			}
			if tt.arm != nil {
				tt.arm(srv)
			}
			errs, err := queue.New(client, url).SendBatch(t.Context(), []recording.Ref{ref(1), ref(2)})
			if err != nil {
				t.Fatal(err)
			}
			for i, e := range errs {
				var qe *queue.Error
				if !errors.As(e, &qe) || qe.Retryable() != tt.retryable || qe.Code != tt.code {
					t.Errorf("errs[%d] = %v, want code %q retryable %v", i, e, tt.code, tt.retryable)
				}
				if strings.Contains(e.Error(), "Zoë") {
					t.Errorf("error repeats the call's details: %v", e)
				}
			}
			if msgs := srv.Messages("recordings"); len(msgs) != 0 {
				t.Errorf("queue holds %d messages after a failed send", len(msgs))
			}
			if armed := tt.arm != nil && tt.code != ""; armed && srv.Faults().Requests != 1 {
				t.Errorf("faults fired: %+v, want the armed request fault", srv.Faults())
			}
		})
	}
}

func TestSendBatchStopsWhenContextEnds(t *testing.T) {
	s, srv := newSender(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	errs, err := s.SendBatch(ctx, []recording.Ref{ref(1)})
	if !errors.Is(err, context.Canceled) || !errors.Is(errs[0], context.Canceled) {
		t.Errorf("SendBatch(cancelled) = %v, %v", errs, err)
	}
	if srv.Requests("SendMessageBatch") != 0 {
		t.Errorf("a cancelled SendBatch reached SQS")
	}
}

// TestChecksumMismatchIsRetryable: an answer whose MD5 does not match what
// was sent may mean a damaged body: the message counts as not queued, and
// sending again can help.
func TestChecksumMismatchIsRetryable(t *testing.T) {
	s, srv := newSender(t)
	srv.CorruptChecksums(1)
	err := s.Send(t.Context(), ref(1))
	if err == nil || !queue.Retryable(err) {
		t.Fatalf("Send with a wrong MD5 = %v, want a retryable error", err)
	}
	if err := s.Send(t.Context(), ref(1)); err != nil {
		t.Fatalf("Send again: %v", err)
	}
	if got := srv.Faults(); got != (sqstest.FaultCounts{Checksums: 1}) {
		t.Errorf("faults fired: %+v, want one corrupted checksum", got)
	}
}

func TestSendRaw(t *testing.T) {
	s, srv := newSender(t)
	body := `{"id":"abc"}`
	attrs := map[string]string{"errorType": "InvalidInputError", "errorMessage": "invalid input: id"}
	if err := s.SendRaw(t.Context(), body, attrs); err != nil {
		t.Fatalf("SendRaw: %v", err)
	}
	msgs := srv.Messages("recordings")
	if len(msgs) != 1 || msgs[0].Body != body || !reflect.DeepEqual(msgs[0].Attributes, attrs) {
		t.Fatalf("queue holds %+v, want one message %q with attributes %v", msgs, body, attrs)
	}
	srv.FailRequests("SendMessage", 1, 403, "AccessDenied")
	err := s.SendRaw(t.Context(), body, attrs)
	if err == nil || queue.Retryable(err) {
		t.Errorf("SendRaw denied = %v, want a permanent *queue.Error", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.SendRaw(ctx, body, attrs); !errors.Is(err, context.Canceled) {
		t.Errorf("SendRaw with a cancelled context = %v, want context.Canceled", err)
	}
	if n := len(srv.Messages("recordings")); n != 1 {
		t.Errorf("queue holds %d messages after the failures, want 1", n)
	}
	if got := srv.Faults(); got != (sqstest.FaultCounts{Requests: 1}) {
		t.Errorf("faults fired: %+v, want the denied request", got)
	}
}
