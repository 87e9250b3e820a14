package trigger

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/recording"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current Decode output")

// minSampleEvents is how many events/*.json files there are at least, so
// that a deleted sample fails the golden test instead of shrinking it.
const minSampleEvents = 7

// golden is a stable rendering of what Decode made of an event.
type golden struct {
	Kind    Kind           `json:"kind"`
	Ref     *recording.Ref `json:"ref,omitempty"`
	Skip    string         `json:"skip,omitempty"`
	Records []goldenRecord `json:"records,omitempty"`
	Err     string         `json:"error,omitempty"`
}

type goldenRecord struct {
	MessageID string         `json:"messageId"`
	Ref       *recording.Ref `json:"ref,omitempty"`
	Skip      string         `json:"skip,omitempty"`
	Err       string         `json:"error,omitempty"`
}

func render(t *testing.T, inv Invocation, err error) []byte {
	t.Helper()
	g := golden{Kind: inv.Kind, Ref: inv.Item.Ref, Skip: inv.Item.Skip}
	if err != nil {
		g.Err = err.Error()
	}
	for _, r := range inv.Records {
		gr := goldenRecord{MessageID: r.MessageID, Ref: r.Item.Ref, Skip: r.Item.Skip}
		if r.Err != nil {
			gr.Err = r.Err.Error()
		}
		g.Records = append(g.Records, gr)
	}
	out, merr := json.MarshalIndent(g, "", "  ")
	if merr != nil {
		t.Fatal(merr)
	}
	return append(out, '\n')
}

// TestDecodeSampleEvents decodes every events/*.json and compares the result
// with testdata/<name>.golden. Run `go test ./pkg/trigger -update` after a
// deliberate change, then read the diff.
func TestDecodeSampleEvents(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "events", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < minSampleEvents {
		t.Fatalf("found %d events/*.json files %v, want at least %d", len(files), files, minSampleEvents)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			payload, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			inv, err := Decode(payload)
			got := render(t, inv, err)
			path := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.MkdirAll("testdata", 0o750); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o600); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, rerr := os.ReadFile(path)
			if rerr != nil {
				t.Fatalf("%v (run go test ./pkg/trigger -update to create it)", rerr)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Decode(%s) =\n%s\nwant (%s)\n%s", f, got, path, want)
			}
			// Every sample event is a valid one: it must not fail.
			if err != nil {
				t.Errorf("Decode(%s) = %v, want no error", f, err)
			}
			for _, r := range inv.Records {
				if r.Err != nil {
					t.Errorf("Decode(%s) record %s: %v, want no error", f, r.MessageID, r.Err)
				}
			}
		})
	}
}

// TestGoldenFilesHaveEvents catches a golden file left behind by a removed sample.
func TestGoldenFilesHaveEvents(t *testing.T) {
	goldens, err := filepath.Glob(filepath.Join("testdata", "*.golden"))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range goldens {
		ev := filepath.Join("..", "..", "events", strings.TrimSuffix(filepath.Base(g), ".golden")+".json")
		if _, err := os.Stat(ev); err != nil {
			t.Errorf("%s has no sample event: %v", g, err)
		}
	}
}

// envelope wraps detail in an EventBridge event as the forwarder puts it.
func envelope(detail string) string {
	return `{"version":"0","id":"e1","detail-type":"Call End","source":"yeastar.pbx","account":"123456789012",` +
		`"time":"2022-05-01T09:30:52Z","region":"eu-west-1","resources":[],"detail":` + detail + `}`
}

// pbx returns a 30012 event whose msg is the JSON string of msg.
func pbx(msg string) string {
	quoted, _ := json.Marshal(msg)
	return `{"type":30012,"sn":"3631A2124XXX","msg":` + string(quoted) + `}`
}

// sqs returns an SQS event with one record per body, ids m1, m2, ...
func sqs(bodies ...string) string {
	recs := make([]string, len(bodies))
	for i, b := range bodies {
		quoted, _ := json.Marshal(b)
		recs[i] = fmt.Sprintf(`{"messageId":"m%d","receiptHandle":"h","body":%s,"eventSource":"aws:sqs"}`, i+1, quoted)
	}
	return `{"Records":[` + strings.Join(recs, ",") + `]}`
}

// pad adds spaces to a JSON text up to n bytes.
func pad(s string, n int) string { return s + strings.Repeat(" ", n-len(s)) }

const (
	wavName = "20220501093015-1651397415.88-2001-5551234-Outbound.wav"
	cdrMsg  = `{"call_id":"1651397415.88","status":"ANSWERED","recording":"` + wavName + `"}`
)

// cdrRef is what cdrMsg names, in an event from the PBX of serial number sn.
func cdrRef(sn string) recording.Ref {
	return recording.Ref{File: wavName, Call: &recording.Call{ID: "1651397415.88", Status: "ANSWERED", SN: sn}}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name     string
		payload  string
		wantKind Kind
		wantRef  recording.Ref // zero with wantSkip or wantErr
		wantSkip string        // substring of Item.Skip
		wantErr  string        // substring of the error; "" means accepted
	}{
		// Direct.
		{name: "direct id", payload: `{"id":1727}`, wantKind: KindDirect, wantRef: recording.Ref{ID: 1727}},
		{name: "direct file", payload: `{"file":"` + pbxName + `"}`, wantKind: KindDirect, wantRef: recording.Ref{File: pbxName}},
		{name: "direct bad id", payload: `{"id":0}`, wantErr: "not a positive integer"},
		{name: "empty object", payload: `{}`, wantErr: "no recording named"},
		{name: "null", payload: `null`, wantErr: "event is not a JSON object: null"},
		{name: "array", payload: `[{"id":1}]`, wantErr: "found a JSON array"},
		{name: "not JSON", payload: `id=1727`, wantErr: "invalid JSON"},
		{name: "unknown shape names its fields", payload: `{"recording":"x.wav","call":1}`, wantErr: `unknown event shape (fields ["call", "recording"])`},
		{name: "unknown shape lists at most 5 fields", payload: `{"a":1,"b":1,"c":1,"d":1,"e":1,"f":1}`, wantErr: `fields ["a", "b", "c", "d", "e", "..."]`},

		// EventBridge.
		{name: "EventBridge direct id", payload: envelope(`{"id":1727}`), wantKind: KindEventBridge, wantRef: recording.Ref{ID: 1727}},
		{name: "EventBridge direct file", payload: envelope(`{"file":"` + pbxName + `"}`), wantKind: KindEventBridge, wantRef: recording.Ref{File: pbxName}},
		{name: "EventBridge 30012", payload: envelope(pbx(cdrMsg)), wantKind: KindEventBridge, wantRef: cdrRef("3631A2124XXX")},
		{name: "EventBridge 30012 without recording", payload: envelope(pbx(`{"call_id":"42.1","recording":""}`)), wantKind: KindEventBridge, wantSkip: "call 42.1 has no recording"},
		{name: "EventBridge minimal envelope", payload: `{"detail":{"id":5}}`, wantKind: KindEventBridge, wantRef: recording.Ref{ID: 5}},
		{name: "EventBridge empty detail", payload: envelope(`{}`), wantErr: "EventBridge detail: no recording named"},
		{name: "EventBridge detail a string", payload: envelope(`"{\"id\":1}"`), wantErr: "EventBridge detail is not a JSON object: found a JSON string"},
		{name: "EventBridge detail an array", payload: envelope(`[{"id":1}]`), wantErr: "EventBridge detail is not a JSON object: found a JSON array"},
		{name: "EventBridge detail null", payload: envelope(`null`), wantErr: "EventBridge detail is not a JSON object: null"},
		{name: "EventBridge nested", payload: envelope(envelope(`{"id":1}`)), wantErr: "an EventBridge envelope inside another one"},
		{name: "EventBridge detail bad id", payload: envelope(`{"id":-3}`), wantErr: "EventBridge detail: id -3 is not a positive integer"},
		{name: "EventBridge detail unknown shape", payload: envelope(`{"foo":1}`), wantErr: `EventBridge detail: unknown event shape (fields ["foo"])`},
		{name: "EventBridge bad envelope field", payload: `{"resources":"x","detail":{"id":1}}`, wantErr: "EventBridge event: found a JSON string"},

		// Yeastar 30012.
		{name: "30012 msg as a JSON string", payload: pbx(cdrMsg), wantKind: KindPBXEvent, wantRef: cdrRef("3631A2124XXX")},
		{name: "30012 msg as an object", payload: `{"type":30012,"sn":"x","msg":` + cdrMsg + `}`, wantKind: KindPBXEvent, wantRef: cdrRef("x")},
		{name: "30012 recording empty", payload: pbx(`{"call_id":"1651057476.362","recording":""}`), wantKind: KindPBXEvent, wantSkip: "call 1651057476.362 has no recording"},
		{name: "30012 msg invalid JSON", payload: pbx(`{"call_id":`), wantErr: "Yeastar 30012 msg is not a JSON object: invalid JSON"},
		{name: "30012 msg a JSON array string", payload: pbx(`[1]`), wantErr: "Yeastar 30012 msg is not a JSON object: found a JSON array"},
		{name: "30012 msg a number", payload: `{"type":30012,"msg":5}`, wantErr: "Yeastar 30012 msg is not a JSON object: found a JSON number"},
		{name: "30012 msg null", payload: `{"type":30012,"msg":null}`, wantErr: "Yeastar 30012 msg is not a JSON object: null"},
		{name: "30012 msg the string null", payload: pbx(`null`), wantErr: "Yeastar 30012 msg is not a JSON object: null"},
		{name: "30012 msg missing", payload: `{"type":30012,"sn":"x"}`, wantErr: "Yeastar 30012 event has no msg"},
		{name: "type 30011 unsupported", payload: `{"type":30011,"sn":"x","msg":"{}"}`, wantErr: "Yeastar event type 30011 is not supported"},
		{name: "type missing", payload: `{"sn":"x","msg":` + mustQuote(cdrMsg) + `}`, wantErr: "Yeastar event has no type"},
		{name: "type a string", payload: `{"type":"30012","msg":"{}"}`, wantErr: "Yeastar event: found a JSON string"},
		{name: "30012 recording with slash", payload: pbx(`{"call_id":"1","recording":"../etc/x.wav"}`), wantErr: "Yeastar 30012 recording: file name"},
		{name: "30012 recording with only a slash", payload: pbx(`{"call_id":"1","recording":"a/x.wav"}`), wantErr: "path separator"},
		{name: "30012 recording with control", payload: pbx(`{"call_id":"1","recording":"a\u0007.wav"}`), wantErr: "control"},
		{name: "30012 every call detail", payload: pbx(`{"call_id":"1641980184.14","time_start":"2022-01-12 17:36:24","call_from":"Evelyn<5566>",` +
			`"call_to":"Dave Harris<5556>","call_duration":250,"status":"ANSWERED","type":"Internal","uid":"2022011217362446627","recording":"` + wavName + `"}`),
			wantKind: KindPBXEvent, wantRef: recording.Ref{File: wavName, Call: &recording.Call{
				ID: "1641980184.14", TimeStart: "2022-01-12 17:36:24", From: "Evelyn<5566>", To: "Dave Harris<5556>",
				Type: "Internal", Status: "ANSWERED", SN: "3631A2124XXX", UID: "2022011217362446627",
			}}},
		{name: "30012 odd call details are left out, the recording kept", payload: `{"type":30012,"msg":` +
			mustQuote(`{"call_id":42,"call_from":"`+strings.Repeat("x", 300)+`","call_to":"Zoë","recording":"`+wavName+`"}`) + `}`,
			wantKind: KindPBXEvent, wantRef: recording.Ref{File: wavName, Call: &recording.Call{To: "Zoë"}}},
		{name: "30012 without any call detail", payload: `{"type":30012,"msg":` + mustQuote(`{"recording":"`+wavName+`"}`) + `}`,
			wantKind: KindPBXEvent, wantRef: recording.Ref{File: wavName}},
		{name: "30012 recording not a string", payload: pbx(`{"call_id":"1","recording":5}`), wantErr: "Yeastar 30012 msg: found a JSON number"},

		// SQS, invocation-level errors.
		{name: "SQS zero records", payload: `{"Records":[]}`, wantErr: "SQS event has no records"},
		{name: "SQS null records", payload: `{"Records":null}`, wantErr: "SQS event has no records"},
		{name: "SQS records not an array", payload: `{"Records":{}}`, wantErr: "SQS event: found a JSON object"},
		{name: "SQS record without messageId", payload: `{"Records":[{"messageId":"m1","body":"{}"},{"body":"{\"id\":1}"}]}`, wantErr: "SQS record 1 has no messageId"},

		// Sizes.
		{name: "invocation over MaxInvocationSize", payload: pad(sqs(`{"id":1}`), MaxInvocationSize+1), wantErr: fmt.Sprintf("more than %d", MaxInvocationSize)},
		{name: "event over MaxEventSize", payload: pad(`{"id":1}`, MaxEventSize+1), wantErr: fmt.Sprintf("more than %d", MaxEventSize)},
		{name: "EventBridge over MaxEventSize", payload: pad(envelope(`{"id":1}`), MaxEventSize+1), wantErr: fmt.Sprintf("more than %d", MaxEventSize)},
		{name: "event of exactly MaxEventSize", payload: pad(`{"id":1}`, MaxEventSize), wantKind: KindDirect, wantRef: recording.Ref{ID: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := Decode([]byte(tt.payload))
			if tt.wantErr != "" {
				var ie *recording.InvalidInputError
				if !errors.As(err, &ie) {
					t.Fatalf("Decode(%.80q) = %+v, %v (%T); want an *InvalidInputError", tt.payload, inv, err, err)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("Decode(%.80q) error = %q, want it to mention %q", tt.payload, err, tt.wantErr)
				}
				if inv.Item.Ref != nil || inv.Records != nil {
					t.Errorf("Decode(%.80q) returned %+v with its error, want no item or records", tt.payload, inv)
				}
				if len(err.Error()) > 300 {
					t.Errorf("error message is %d bytes; it must stay one short line", len(err.Error()))
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode(%.80q) = %v", tt.payload, err)
			}
			if inv.Kind != tt.wantKind {
				t.Errorf("Kind = %q, want %q", inv.Kind, tt.wantKind)
			}
			if inv.Records != nil {
				t.Errorf("Records = %+v, want none for a single event", inv.Records)
			}
			checkItem(t, inv.Item, tt.wantRef, tt.wantSkip)
		})
	}
}

// checkItem checks that it is a copy of want, or, with skip, nothing to copy.
func checkItem(t *testing.T, it Item, want recording.Ref, skip string) {
	t.Helper()
	if skip != "" {
		if it.Ref != nil {
			t.Errorf("Item.Ref = %+v, want nil (nothing to copy)", *it.Ref)
		}
		if !strings.Contains(it.Skip, skip) {
			t.Errorf("Item.Skip = %q, want it to mention %q", it.Skip, skip)
		}
		return
	}
	if it.Ref == nil {
		t.Fatalf("Item = %+v, want Ref %+v", it, want)
	}
	if !reflect.DeepEqual(*it.Ref, want) {
		t.Errorf("Item.Ref = %+v, want %+v", *it.Ref, want)
	}
	if it.Skip != "" {
		t.Errorf("Item.Skip = %q with a Ref, want empty", it.Skip)
	}
}

func mustQuote(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// TestDecodeSQSRecords checks that each record is decoded on its own: a bad
// body fails its record, never the batch.
func TestDecodeSQSRecords(t *testing.T) {
	type want struct {
		ref  recording.Ref
		skip string
		err  string // substring of the record's error
	}
	big := pad(`{"id":1}`, MaxEventSize+1)
	tests := []struct {
		name    string
		payload string
		want    []want
	}{
		{"valid direct", sqs(`{"id":1731}`, `{"file":"`+pbxName+`"}`), []want{{ref: recording.Ref{ID: 1731}}, {ref: recording.Ref{File: pbxName}}}},
		{"30012 and EventBridge bodies", sqs(pbx(cdrMsg), envelope(`{"id":7}`), pbx(`{"call_id":"9.1","recording":""}`)),
			[]want{{ref: cdrRef("3631A2124XXX")}, {ref: recording.Ref{ID: 7}}, {skip: "call 9.1 has no recording"}}},
		{"malformed JSON body", sqs(`{"id":1}`, `{"id":`, `{"id":3}`),
			[]want{{ref: recording.Ref{ID: 1}}, {err: "message body is not a JSON object: invalid JSON"}, {ref: recording.Ref{ID: 3}}}},
		{"body not an object", sqs(`1727`), []want{{err: "message body is not a JSON object: found a JSON number"}}},
		{"body null", sqs(`null`), []want{{err: "message body is not a JSON object: null"}}},
		{"empty body", sqs(``), []want{{err: "message body is not a JSON object: invalid JSON"}}},
		{"body {}", sqs(`{}`), []want{{err: "no recording named"}}},
		{"unknown shape body", sqs(`{"foo":1,"bar":2}`), []want{{err: `unknown event shape (fields ["bar", "foo"])`}}},
		{"SQS event as a body", sqs(sqs(`{"id":1}`)), []want{{err: `unknown event shape (fields ["Records"])`}}},
		{"invalid id body", sqs(`{"id":"x"}`), []want{{err: "not a positive integer"}}},
		{"oversized body", sqs(big, `{"id":2}`), []want{{err: fmt.Sprintf("message body is %d bytes, more than %d", MaxEventSize+1, MaxEventSize)}, {ref: recording.Ref{ID: 2}}}},
		{"body of exactly MaxEventSize", sqs(pad(`{"id":4}`, MaxEventSize)), []want{{ref: recording.Ref{ID: 4}}}},
		{"eventSource not aws:sqs", `{"Records":[{"messageId":"m1","body":"{\"id\":1}","eventSource":"aws:kinesis"}]}`,
			[]want{{err: `record eventSource "aws:kinesis" is not aws:sqs`}}},
		{"eventSource missing", `{"Records":[{"messageId":"m1","body":"{\"id\":1}"}]}`, []want{{ref: recording.Ref{ID: 1}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := Decode([]byte(tt.payload))
			if err != nil {
				t.Fatalf("Decode = %v, want the batch accepted", err)
			}
			if inv.Kind != KindSQS {
				t.Errorf("Kind = %q, want %q", inv.Kind, KindSQS)
			}
			if inv.Item != (Item{}) {
				t.Errorf("Item = %+v, want zero for SQS", inv.Item)
			}
			if len(inv.Records) != len(tt.want) {
				t.Fatalf("%d records, want %d: %+v", len(inv.Records), len(tt.want), inv.Records)
			}
			for i, w := range tt.want {
				rec := inv.Records[i]
				if id := fmt.Sprintf("m%d", i+1); rec.MessageID != id {
					t.Errorf("record %d MessageID = %q, want %q", i, rec.MessageID, id)
				}
				if w.err == "" {
					if rec.Err != nil {
						t.Errorf("record %d: %v, want no error", i, rec.Err)
						continue
					}
					checkItem(t, rec.Item, w.ref, w.skip)
					continue
				}
				var ie *recording.InvalidInputError
				if !errors.As(rec.Err, &ie) {
					t.Errorf("record %d Err = %v (%T), want an *InvalidInputError", i, rec.Err, rec.Err)
					continue
				}
				if !strings.Contains(rec.Err.Error(), w.err) {
					t.Errorf("record %d Err = %q, want it to mention %q", i, rec.Err, w.err)
				}
				if rec.Item != (Item{}) {
					t.Errorf("record %d Item = %+v with its error, want zero", i, rec.Item)
				}
			}
		})
	}
}

// TestDecodeSQSLargerThanOneEvent: a batch may exceed MaxEventSize as long
// as each body fits, because the batch bound is MaxInvocationSize.
func TestDecodeSQSLargerThanOneEvent(t *testing.T) {
	body := pad(`{"id":1}`, MaxEventSize-100)
	bodies := []string{body, body, body}
	payload := sqs(bodies...)
	if len(payload) <= MaxEventSize || len(payload) > MaxInvocationSize {
		t.Fatalf("payload is %d bytes; the test needs MaxEventSize < size <= MaxInvocationSize", len(payload))
	}
	inv, err := Decode([]byte(payload))
	if err != nil {
		t.Fatalf("Decode = %v", err)
	}
	if len(inv.Records) != len(bodies) {
		t.Fatalf("%d records, want %d", len(inv.Records), len(bodies))
	}
	for i, r := range inv.Records {
		if r.Err != nil || r.Item.Ref == nil || *r.Item.Ref != (recording.Ref{ID: 1}) {
			t.Errorf("record %d = %+v, want id 1", i, r)
		}
	}
}

// TestDecodeSQSReceive checks that a record says which receive of which
// queue it is, and that what is missing or malformed reads as nothing
// (a receive count of 0 is never handed back early).
func TestDecodeSQSReceive(t *testing.T) {
	tests := []struct {
		name, record string
		want         Record
	}{
		{"all set", `"receiptHandle":"rh-1","eventSourceARN":"arn:aws:sqs:eu-west-1:123456789012:recording-sync-RecordingQueue-X","attributes":{"ApproximateReceiveCount":"2"}`,
			Record{ReceiptHandle: "rh-1", Queue: "recording-sync-RecordingQueue-X", ReceiveCount: 2}},
		{"nothing set", `"eventSource":"aws:sqs"`, Record{}},
		{"count not a number", `"attributes":{"ApproximateReceiveCount":"two"}`, Record{}},
		{"ARN of another shape", `"eventSourceARN":"arn:aws:sqs:eu-west-1:queue"`, Record{}},
		{"not an ARN", `"eventSourceARN":"https://sqs.eu-west-1.amazonaws.com/123456789012/q"`, Record{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := Decode([]byte(`{"Records":[{"messageId":"m1","body":"{\"id\":1}",` + tt.record + `}]}`))
			if err != nil || len(inv.Records) != 1 {
				t.Fatalf("Decode = %+v, %v; want one record", inv, err)
			}
			got := inv.Records[0]
			if got.ReceiptHandle != tt.want.ReceiptHandle || got.Queue != tt.want.Queue || got.ReceiveCount != tt.want.ReceiveCount {
				t.Errorf("receipt %q, queue %q, receive %d; want %q, %q, %d",
					got.ReceiptHandle, got.Queue, got.ReceiveCount, tt.want.ReceiptHandle, tt.want.Queue, tt.want.ReceiveCount)
			}
		})
	}
}
