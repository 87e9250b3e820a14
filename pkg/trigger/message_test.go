package trigger

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/recording-sync/recording-sync/pkg/recording"
)

var sampleCall = &recording.Call{
	ID: "1641980184.14", TimeStart: "2022-01-12 17:36:24", From: "Evelyn<5566>", To: "Dave Harris<5556>",
	Type: "Internal", Status: "ANSWERED", SN: "3631A2124XXX", UID: "2022011217362446627",
}

// TestMessageRoundTrip encodes references and decodes them through every
// route a message takes: direct, an SQS body, an EventBridge detail.
func TestMessageRoundTrip(t *testing.T) {
	refs := []recording.Ref{
		{ID: 1727},
		{File: pbxName},
		{ID: 614, File: pbxName},
		{File: pbxName, Call: &recording.Call{ID: "1.2", SN: "3631A2124XXX"}},
		{ID: 614, File: "20220112173629-1641980184.14-5566-5556-Internal.wav", Call: sampleCall},
		{File: pbxName, Call: &recording.Call{From: "Jürgen \"Jo\" Müller<2002>", To: "東京\t<5556>"}},
	}
	for _, ref := range refs {
		t.Run(ref.String(), func(t *testing.T) {
			msg, err := Message(ref)
			if err != nil {
				t.Fatalf("Message(%s) = %v", ref, err)
			}
			direct, err := DecodeDirect(msg)
			if err != nil || !reflect.DeepEqual(direct, ref) {
				t.Errorf("DecodeDirect(%s) = %+v, %v; want %+v", msg, direct, err, ref)
			}
			body, _ := json.Marshal(events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m1", EventSource: "aws:sqs", Body: string(msg)}}})
			inv, err := Decode(body)
			if err != nil || len(inv.Records) != 1 || inv.Records[0].Err != nil || !reflect.DeepEqual(*inv.Records[0].Item.Ref, ref) {
				t.Errorf("Decode(SQS with body %s) = %+v, %v; want %+v", msg, inv, err, ref)
			}
			inv, err = Decode([]byte(envelope(string(msg))))
			if err != nil || inv.Kind != KindEventBridge || !reflect.DeepEqual(*inv.Item.Ref, ref) {
				t.Errorf("Decode(EventBridge with detail %s) = %+v, %v; want %+v", msg, inv, err, ref)
			}
		})
	}
}

// TestMessageShape pins the JSON the queue carries: the sample in
// events/sqs-message.json is exactly what Message makes.
func TestMessageShape(t *testing.T) {
	ref := recording.Ref{ID: 614, File: "20220112173629-1641980184.14-5566-5556-Internal.wav", Call: sampleCall}
	msg, err := Message(ref)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":614,"file":"20220112173629-1641980184.14-5566-5556-Internal.wav","call":{"call_id":"1641980184.14",` +
		`"time_start":"2022-01-12 17:36:24","call_from":"Evelyn<5566>","call_to":"Dave Harris<5556>","type":"Internal",` +
		`"status":"ANSWERED","sn":"3631A2124XXX","uid":"2022011217362446627"}}`
	if string(msg) != want {
		t.Errorf("Message =\n%s\nwant\n%s", msg, want)
	}
	raw, err := os.ReadFile("../../events/sqs-message.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev events.SQSEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	if len(ev.Records) != 2 || ev.Records[1].Body != want {
		t.Errorf("events/sqs-message.json's second body is not Message's output")
	}
	if m, _ := Message(recording.Ref{File: pbxName, Call: &recording.Call{}}); string(m) != `{"file":"`+pbxName+`"}` {
		t.Errorf("an empty call is encoded: %s", m)
	}
}

func TestMessageLeavesOutUnstorableDetails(t *testing.T) {
	ref := recording.Ref{ID: 1, Call: &recording.Call{To: strings.Repeat("x", recording.MaxCallFieldLen+1), From: "2002"}}
	if m, err := Message(ref); err != nil || string(m) != `{"id":1,"call":{"call_from":"2002"}}` {
		t.Errorf("Message(%+v) = %s, %v; want the over-long call_to left out", ref, m, err)
	}
	if ref.Call.To == "" {
		t.Error("Message changed the caller's call")
	}
}

func TestMessageRefusesInvalid(t *testing.T) {
	for _, ref := range []recording.Ref{
		{},
		{ID: -1},
		{File: "../x.wav"},
		{Call: sampleCall},
	} {
		msg, err := Message(ref)
		var inv *recording.InvalidInputError
		if !errors.As(err, &inv) || msg != nil {
			t.Errorf("Message(%+v) = %s, %v; want an *InvalidInputError", ref, msg, err)
		}
	}
}
