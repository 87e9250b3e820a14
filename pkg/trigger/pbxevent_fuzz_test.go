package trigger

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/recording"
)

// FuzzPBXEventMsg decodes 30012 events built around a fuzzed msg string
// and around a CDR with a fuzzed recording name. Whatever the input: no
// panic; a recording accepted is a valid file name, exactly the CDR's; and
// the event decodes the same alone, in an EventBridge envelope, as an SQS
// message body and, when msg is an object, with msg unwrapped.
func FuzzPBXEventMsg(f *testing.F) {
	for _, s := range []struct{ msg, name string }{
		{cdrMsg, wavName},
		{`{"call_id":"1651057476.362","recording":""}`, ""},
		{`{"call_id":"1","recording":"a.wav","recording":"../b.wav"}`, "../x.wav"},
		{`{"call_id":"1","Recording":"a.wav"}`, "a/b.wav"},
		{`{"recording":null}`, `a\b.wav`},
		{`{"recording":1}`, "a\x00.wav"},
		{`"{\"recording\":\"a.wav\"}"`, "a\u202e.wav"},
		{`null`, "a\xff.wav"},
		{`[]`, "."},
		{``, ".."},
		{` {"recording":"a.wav"} `, "a..wav"},
		{`{"recording":"a.wav"}x`, " "},
		{`{"recording":"a\u0000.wav"}`, strings.Repeat("1", recording.MaxFileNameLen)},
		{`{"recording":"` + strings.Repeat("é", 200) + `"}`, strings.Repeat("é", 128)},
	} {
		f.Add(s.msg, s.name)
	}
	f.Fuzz(func(t *testing.T, msg, name string) {
		// A fuzzed msg: only what decodes to a valid name is accepted.
		item, err := decodePBXShapes(t, pbx(msg))
		if err == nil && item.Ref != nil {
			if err := recording.ValidateFileName(item.Ref.File); err != nil || item.Ref.ID != 0 {
				t.Fatalf("msg %q: accepted %s: %v", msg, item.Ref, err)
			}
		}
		if trimmed := bytes.TrimSpace([]byte(msg)); json.Valid(trimmed) && bytes.HasPrefix(trimmed, []byte("{")) {
			unwrapped, uerr := decodePBXShapes(t, `{"type":30012,"sn":"3631A2124XXX","msg":`+msg+`}`)
			if (uerr == nil) != (err == nil) || !sameItem(unwrapped, item) {
				t.Fatalf("msg %q: as a string %+v, %v; as an object %+v, %v", msg, item, err, unwrapped, uerr)
			}
		}

		// A fuzzed recording name in a well-formed CDR: accepted exactly
		// when it is a valid file name, and then unchanged.
		cdr, err := json.Marshal(map[string]any{"call_id": "1651057476.362", "status": "ANSWERED", "recording": name})
		if err != nil {
			t.Fatal(err)
		}
		var want string // name as JSON carries it: invalid UTF-8 becomes U+FFFD
		if err := json.Unmarshal(cdr, &struct {
			Recording *string `json:"recording"`
		}{&want}); err != nil {
			t.Fatal(err)
		}
		item, err = decodePBXShapes(t, pbx(string(cdr)))
		valid := recording.ValidateFileName(want) == nil
		switch {
		case want == "":
			if err != nil || item.Ref != nil || item.Skip == "" {
				t.Fatalf("empty recording: %+v, %v; want a skip", item, err)
			}
		case valid && (err != nil || item.Ref == nil || item.Ref.File != want):
			t.Fatalf("valid name %q: %+v, %v; want it, unchanged", want, item, err)
		case !valid && err == nil:
			t.Fatalf("invalid name %q accepted: %+v", want, item)
		case err == nil && strings.ContainsAny(want, "/\\\x00\n\r\x7f"):
			t.Fatalf("name %q with a separator or control character accepted", want)
		}
	})
}

// decodePBXShapes decodes a 30012 event alone, in an EventBridge envelope
// and as an SQS message body, and fails unless all three agree.
func decodePBXShapes(t *testing.T, event string) (Item, error) {
	t.Helper()
	inv, err := Decode([]byte(event))
	switch {
	case err != nil:
		checkInvalid(t, "30012 event", err)
	case inv.Kind != KindPBXEvent:
		t.Fatalf("30012 event decoded as %s", inv.Kind)
	default:
		checkAccepted(t, "30012 event", inv.Item)
	}
	env, envErr := Decode([]byte(envelope(event)))
	if (envErr == nil) != (err == nil) || !sameItem(env.Item, inv.Item) {
		t.Fatalf("alone %+v, %v; in an EventBridge envelope %+v, %v", inv.Item, err, env.Item, envErr)
	}
	batch, sqsErr := Decode([]byte(sqs(event)))
	if sqsErr != nil || len(batch.Records) != 1 {
		t.Fatalf("as an SQS body: %v (%d records)", sqsErr, len(batch.Records))
	}
	rec := batch.Records[0]
	if (rec.Err == nil) != (err == nil) || !sameItem(rec.Item, inv.Item) {
		t.Fatalf("alone %+v, %v; as an SQS body %+v, %v", inv.Item, err, rec.Item, rec.Err)
	}
	return inv.Item, err
}
