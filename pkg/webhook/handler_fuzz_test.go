package webhook_test

import (
	"encoding/base64"
	"reflect"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/trigger"
	"github.com/recording-sync/recording-sync/pkg/webhook"
)

// FuzzHandle drives the handler with any body, either body encoding, any
// method, signatures right and wrong, and the header name in any case: a
// request is queued only when its signature is right, at most once, and
// exactly as the copy function would decode the event; the answer is one
// of the documented ones; the log line never holds the secret, the
// signature or the body.
func FuzzHandle(f *testing.F) {
	f.Add([]byte(withRecord), false, uint8(0), uint8(0), "POST")
	f.Add([]byte(withRecord), true, uint8(0), uint8(0xff), "POST")
	f.Add([]byte(body30012), false, uint8(1), uint8(3), "POST")
	f.Add([]byte(`{"type":30011}`), true, uint8(2), uint8(5), "post")
	f.Add([]byte(`{"type":30012,"msg":{"recording":"a.wav","call_from":5}}`), false, uint8(0), uint8(9), "POST")
	f.Add([]byte("not json"), false, uint8(3), uint8(0), "GET")
	f.Fuzz(func(t *testing.T, body []byte, b64 bool, sigMode, caseMask uint8, method string) {
		sig := webhook.Sign(body, secret)
		switch sigMode % 4 {
		case 1:
			sig = ""
		case 2:
			sig = webhook.Sign(append(body, ' '), secret)
		case 3:
			sig = webhook.Sign(body, secret+"x")
		}
		req := request(method, string(body), "")
		if b64 {
			req.Body, req.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		}
		if sig != "" {
			name := []byte("x-signature")
			for i := range name {
				if caseMask&(1<<(i%8)) != 0 {
					name[i] = strings.ToUpper(string(name[i]))[0]
				}
			}
			req.Headers[string(name)] = sig
		}
		s := &sender{}
		h, logs := newHandler(t, s)
		resp, err := h.Handle(t.Context(), req)
		if err != nil {
			t.Fatalf("Handle returned an error: %v", err)
		}
		checkLogClean(t, logs.String(), req)
		st := resp.StatusCode
		switch {
		case method != "POST":
			if st != 405 {
				t.Fatalf("method %q: status %d, want 405", method, st)
			}
		case len(body) > webhook.MaxBodySize:
			if st != 413 {
				t.Fatalf("%d-byte body: status %d, want 413", len(body), st)
			}
		case sigMode%4 != 0:
			if st != 401 {
				t.Fatalf("bad signature (mode %d): status %d, want 401", sigMode%4, st)
			}
		case st != 200 && st != 400:
			t.Fatalf("signed body: status %d, want 200 or 400", st)
		}
		if len(s.refs) > 1 || len(s.refs) == 1 && st != 200 {
			t.Fatalf("status %d with %d refs queued", st, len(s.refs))
		}
		if len(s.refs) == 1 {
			item, err := trigger.DecodePBXEvent(body)
			queued := s.refs[0]
			if queued.CallEnded == nil || !queued.CallEnded.Equal(arrival) {
				t.Fatalf("queued with callEnded %v, want the arrival %v", queued.CallEnded, arrival)
			}
			queued.CallEnded = nil // the event itself does not say when the call ended
			if err != nil || item.Ref == nil || !reflect.DeepEqual(*item.Ref, queued) {
				t.Fatalf("queued %+v, the copy function would decode %+v, %v", queued, item, err)
			}
		}
		checkMetrics(t, logs.String(), requestCounts{received: 1, rejected: one(st == 401), queued: len(s.refs)})
	})
}
