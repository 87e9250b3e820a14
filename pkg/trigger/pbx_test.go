package trigger

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/recording-sync/recording-sync/pkg/recording"
)

// TestDecodePBX: "pbx" is read in every shape that carries a direct
// reference (a direct invocation, an SQS body, an EventBridge detail);
// "default" and no "pbx" are the same reference; a bad id is an
// InvalidInputError naming the field.
func TestDecodePBX(t *testing.T) {
	cases := []struct {
		name, payload string
		wantPBX       string
		wantErr       string
	}{
		{"named", `{"pbx":"hq","id":1727}`, "hq", ""},
		{"digits and dashes", `{"pbx":"branch-2","file":"` + pbxName + `"}`, "branch-2", ""},
		{"32 characters", `{"pbx":"` + strings.Repeat("a", 32) + `","id":1}`, strings.Repeat("a", 32), ""},
		{"default is no pbx", `{"pbx":"default","id":1727}`, "", ""},
		{"absent", `{"id":1727}`, "", ""},
		{"upper case", `{"pbx":"HQ","id":1}`, "", `pbx "HQ" is not a PBX id`},
		{"33 characters", `{"pbx":"` + strings.Repeat("a", 33) + `","id":1}`, "", "is not a PBX id"},
		{"empty", `{"pbx":"","id":1}`, "", `pbx "" is not a PBX id`},
		{"null", `{"pbx":null,"id":1}`, "", `pbx "" is not a PBX id`},
		{"path", `{"pbx":"../hq","id":1}`, "", "is not a PBX id"},
		{"underscore", `{"pbx":"h_q","id":1}`, "", "is not a PBX id"},
		{"not a string", `{"pbx":7,"id":1}`, "", "pbx is not a string"},
		{"pbx alone", `{"pbx":"hq"}`, "", "unknown event shape"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sqs, _ := json.Marshal(events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m1", EventSource: "aws:sqs", Body: tc.payload}}})
			for shape, payload := range map[string]string{"direct": tc.payload, "eventbridge": envelope(tc.payload), "sqs": string(sqs)} {
				inv, err := Decode([]byte(payload))
				if err == nil && inv.Kind == KindSQS {
					err = inv.Records[0].Err
					inv.Item = inv.Records[0].Item
				}
				if tc.wantErr != "" {
					var bad *recording.InvalidInputError
					if !errors.As(err, &bad) || !strings.Contains(err.Error(), tc.wantErr) {
						t.Errorf("%s: error %v, want an InvalidInputError naming %q", shape, err, tc.wantErr)
					}
					continue
				}
				if err != nil || inv.Item.Ref == nil || inv.Item.Ref.PBX != tc.wantPBX {
					t.Errorf("%s: %+v, %v; want pbx %q", shape, inv.Item.Ref, err, tc.wantPBX)
				}
			}
		})
	}
}

// TestMessagePBX: a message for the default PBX is byte for byte what it
// was before there were many PBXs; any other carries "pbx" first, and
// reads back as the same reference.
func TestMessagePBX(t *testing.T) {
	cases := []struct {
		ref  recording.Ref
		want string
	}{
		{recording.Ref{ID: 1727}, `{"id":1727}`},
		{recording.Ref{PBX: recording.DefaultPBX, ID: 1727}, `{"id":1727}`},
		{recording.Ref{PBX: "hq", ID: 1727, File: pbxName}, `{"pbx":"hq","id":1727,"file":"` + pbxName + `"}`},
	}
	for _, tc := range cases {
		msg, err := Message(tc.ref)
		if err != nil || string(msg) != tc.want {
			t.Errorf("Message(%+v) = %s, %v; want %s", tc.ref, msg, err, tc.want)
			continue
		}
		back, err := DecodeDirect(msg)
		if err != nil || recording.PBXOf(back) != recording.PBXOf(tc.ref) {
			t.Errorf("DecodeDirect(%s) = %+v, %v; want PBX %s", msg, back, err, recording.PBXOf(tc.ref))
		}
	}
	var bad *recording.InvalidInputError
	if _, err := Message(recording.Ref{PBX: "HQ", ID: 1}); !errors.As(err, &bad) {
		t.Errorf("Message with PBX \"HQ\": %v, want an InvalidInputError", err)
	}
}
