package trigger

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/recording-sync/recording-sync/pkg/recording"
)

// maxMessageLen bounds every error message and skip note Decode makes,
// whatever the size of its input: they end up in logs and in the
// invocation's result.
const maxMessageLen = 2 << 10

// FuzzDecode decodes arbitrary payloads. Whatever the input: no panic; an
// error is an *recording.InvalidInputError with a short, valid UTF-8
// message; every accepted reference is valid; an SQS invocation has one
// Record per element of the payload's "Records" array, in order.
func FuzzDecode(f *testing.F) {
	samples, err := filepath.Glob("../../events/*.json")
	if err != nil || len(samples) < minSampleEvents {
		f.Fatalf("sample events: %v (%d found)", err, len(samples))
	}
	for _, name := range samples {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	for _, s := range []string{
		``, `null`, `[]`, `{}`, `"x"`, `{"id":0}`, `{"id":"007"}`, `{"id":1e3}`, `{"id":1,"file":"a.wav"}`,
		`{"file":"../x.wav"}`, `{"file":"a\u0000b"}`, `{"detail":{"detail":{"id":1}}}`, `{"detail":null}`,
		`{"Records":null}`, `{"Records":[]}`, `{"Records":[{}]}`, `{"Records":[{"messageId":"m","body":"null"}]}`,
		`{"Records":[{"messageId":"m","body":"{\"id\":1}"}],"records":[]}`,
		`{"records":[{"messageId":"m","body":"{\"id\":1}"}]}`,
		`{"type":30012,"msg":null}`, `{"type":30012,"msg":"null"}`, `{"type":30012,"msg":{"recording":"a.wav"}}`,
		`{"type":"30012"}`, `{"msg":"{}"}`, `{"id":"\u00e9\u00e9"}`,
		// Places where input is quoted back in messages; see grow.
		`{"id":1,"$$":0}`,
		`{"id":"$$"}`,
		`{"$$":1,"b":2,"c":3,"d":4,"e":5,"f":6}`,
		`{"type":30012,"msg":"{\"call_id\":\"$$\",\"recording\":\"\"}"}`,
		`{"type":30012,"msg":"{\"recording\":\"$$.wav\"}"}`,
		`{"Records":[{"messageId":"m","eventSource":"$$"}]}`,
		sqs(`{"id":1}`, "", `{"file":"$$"}`, pbx(cdrMsg), envelope(pbx(cdrMsg))),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		payload = grow(payload)
		inv, err := Decode(payload)
		if err != nil {
			checkInvalid(t, "Decode", err)
			return
		}
		if inv.Kind != KindSQS {
			if len(inv.Records) != 0 {
				t.Fatalf("%s invocation with %d records", inv.Kind, len(inv.Records))
			}
			checkAccepted(t, "item", inv.Item)
			if inv.Kind == KindEventBridge {
				checkDetail(t, payload, inv.Item)
			}
			return
		}
		var recs []json.RawMessage
		member(t, payload, "Records", &recs)
		want := len(recs)
		if len(inv.Records) != want {
			t.Fatalf("SQS invocation has %d records, the payload's Records array %d", len(inv.Records), want)
		}
		for i, r := range inv.Records {
			if r.MessageID == "" {
				t.Errorf("record %d accepted without a messageId", i)
			}
			if r.Err != nil {
				checkInvalid(t, "record", r.Err)
				continue
			}
			checkAccepted(t, "record", r.Item)
		}
	})
}

// grow replaces each "$$" in payload with 4 KiB of two-byte runes, so that
// the fuzzer, whose inputs stay small, can put long text anywhere: messages
// must stay short, and valid UTF-8 wherever they cut it.
func grow(payload []byte) []byte {
	return bytes.ReplaceAll(payload, []byte("$$"), bytes.Repeat([]byte("é"), 2<<10))
}

// member returns the payload's member key, found the way a reader of the
// JSON text would: by its exact name. It also decodes it into out.
func member(t *testing.T, payload []byte, key string, out any) json.RawMessage {
	t.Helper()
	var top map[string]json.RawMessage
	if err := json.Unmarshal(payload, &top); err != nil {
		t.Fatalf("Decode accepted a payload that is not a JSON object: %v", err)
	}
	if err := json.Unmarshal(top[key], out); err != nil {
		t.Fatalf("Decode accepted a %q member that is not a %T: %v", key, out, err)
	}
	return top[key]
}

// checkDetail checks that an EventBridge item is what the envelope's
// "detail" member decodes to on its own.
func checkDetail(t *testing.T, payload []byte, it Item) {
	t.Helper()
	detail := member(t, payload, "detail", &map[string]json.RawMessage{})
	alone, err := Decode(detail)
	if err != nil {
		t.Fatalf("EventBridge item %+v, but its detail alone is refused: %v", it, err)
	}
	if !sameItem(alone.Item, it) {
		t.Fatalf("EventBridge item %+v, its detail alone %+v", it, alone.Item)
	}
}

func sameItem(a, b Item) bool {
	return a.Skip == b.Skip && (a.Ref == nil) == (b.Ref == nil) && (a.Ref == nil || reflect.DeepEqual(*a.Ref, *b.Ref))
}

// checkInvalid checks a refusal: an *recording.InvalidInputError with a
// short, valid UTF-8 message.
func checkInvalid(t *testing.T, what string, err error) {
	t.Helper()
	var inv *recording.InvalidInputError
	if !errors.As(err, &inv) {
		t.Fatalf("%s: error %T (%v), want *recording.InvalidInputError", what, err, err)
	}
	checkMessage(t, what+" error", err.Error())
}

// checkAccepted checks an accepted item: a valid reference, or a note saying
// why there is nothing to copy.
func checkAccepted(t *testing.T, what string, it Item) {
	t.Helper()
	switch {
	case it.Ref != nil && it.Skip != "":
		t.Fatalf("%s has both a reference (%s) and a skip note %q", what, it.Ref, it.Skip)
	case it.Ref != nil:
		if err := it.Ref.Validate(); err != nil {
			t.Fatalf("%s: accepted reference %s is invalid: %v", what, it.Ref, err)
		}
	case it.Skip == "":
		t.Fatalf("%s has neither a reference nor a skip note", what)
	default:
		checkMessage(t, what+" skip note", it.Skip)
	}
}

func checkMessage(t *testing.T, what, msg string) {
	t.Helper()
	if !utf8.ValidString(msg) {
		t.Fatalf("%s is not valid UTF-8: %q", what, msg)
	}
	if len(msg) >= maxMessageLen {
		t.Fatalf("%s is %d bytes, want < %d: %.200q...", what, len(msg), maxMessageLen, msg)
	}
}
