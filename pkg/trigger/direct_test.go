package trigger

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/pkg/recording"
)

const pbxName = "20220412173331-1649756009.12-2002-2005-Internal.wav"

func TestDecodeDirect(t *testing.T) {
	// An event of exactly MaxEventSize bytes is a valid one padded with
	// spaces; one byte more is refused before it is parsed.
	padded := func(n int) string {
		const ev = `{"id":1727}`
		return ev + strings.Repeat(" ", n-len(ev))
	}
	tests := []struct {
		name    string
		payload string
		want    recording.Ref
		wantErr string // substring of the error; "" means accepted
	}{
		{"id", `{"id":1727}`, recording.Ref{ID: 1727}, ""},
		{"id as string", `{"id":"1727"}`, recording.Ref{ID: 1727}, ""},
		{"id with spaces around", ` { "id" : 1727 } `, recording.Ref{ID: 1727}, ""},
		{"largest id", `{"id":9223372036854775807}`, recording.Ref{ID: 9223372036854775807}, ""},
		{"id string with escape", `{"id":"\u0031727"}`, recording.Ref{ID: 1727}, ""},
		{"file", `{"file":"` + pbxName + `"}`, recording.Ref{File: pbxName}, ""},
		{"file with plus and space", `{"file":"20220412173331-+49 30.wav"}`, recording.Ref{File: "20220412173331-+49 30.wav"}, ""},
		{"exactly MaxEventSize", padded(MaxEventSize), recording.Ref{ID: 1727}, ""},

		{"empty object", `{}`, recording.Ref{}, "no recording named"},
		{"null", `null`, recording.Ref{}, "no recording named"},
		{"id not a number", `{"id":"abc"}`, recording.Ref{}, "not a positive integer"},
		{"negative id", `{"id":-1}`, recording.Ref{}, "not a positive integer"},
		{"zero id", `{"id":0}`, recording.Ref{}, "not a positive integer"},
		{"zero id as string", `{"id":"0"}`, recording.Ref{}, "not a positive integer"},
		{"fractional id", `{"id":1.5}`, recording.Ref{}, "not a positive integer"},
		{"exponent id", `{"id":1e3}`, recording.Ref{}, "not a positive integer"},
		{"null id", `{"id":null}`, recording.Ref{}, "not a positive integer"},
		{"bool id", `{"id":true}`, recording.Ref{}, "not a positive integer"},
		{"object id", `{"id":{"n":1}}`, recording.Ref{}, "not a positive integer"},
		{"plus id", `{"id":"+5"}`, recording.Ref{}, "not a positive integer"},
		{"id string with spaces", `{"id":" 5"}`, recording.Ref{}, "not a positive integer"},
		{"empty id string", `{"id":""}`, recording.Ref{}, "not a positive integer"},
		{"id overflows int64", `{"id":9223372036854775808}`, recording.Ref{}, "not a positive integer"},
		{"file not a string", `{"file":5}`, recording.Ref{}, "file is not a string"},
		{"null file", `{"file":null}`, recording.Ref{}, "file name is empty"},
		{"empty file", `{"file":""}`, recording.Ref{}, "file name is empty"},
		{"file with path", `{"file":"../x.wav"}`, recording.Ref{}, `".."`},
		{"file with slash", `{"file":"a/x.wav"}`, recording.Ref{}, "path separator"},
		{"file with NUL", `{"file":"a\u0000.wav"}`, recording.Ref{}, "control"},
		{"both keys", `{"id":1727,"file":"` + pbxName + `"}`, recording.Ref{ID: 1727, File: pbxName}, ""},
		{"call not an object", `{"file":"` + pbxName + `","call":"x"}`, recording.Ref{}, "call is not a JSON object"},
		{"call field not a string is left out", `{"file":"` + pbxName + `","call":{"call_id":1,"call_to":"2002"}}`, recording.Ref{File: pbxName, Call: &recording.Call{To: "2002"}}, ""},
		{"call unknown field is ignored", `{"file":"` + pbxName + `","call":{"recording":"x","call_id":"1.2"}}`, recording.Ref{File: pbxName, Call: &recording.Call{ID: "1.2"}}, ""},
		{"call field too long is left out", `{"id":1,"call":{"call_from":"` + strings.Repeat("x", 257) + `","call_to":"2002"}}`, recording.Ref{ID: 1, Call: &recording.Call{To: "2002"}}, ""},
		{"call with nothing usable is no call", `{"id":1,"call":{"call_from":5,"x":1}}`, recording.Ref{ID: 1}, ""},
		{"call only", `{"call":{"call_id":"1.2"}}`, recording.Ref{}, "no recording named"},
		{"unknown field", `{"id":1727,"bucket":"other"}`, recording.Ref{}, `unknown field "bucket"`},
		{"unknown field only", `{"recording":"x.wav"}`, recording.Ref{}, `unknown field "recording"`},
		{"key case matters", `{"ID":1727}`, recording.Ref{}, `unknown field "ID"`},
		{"invalid JSON", `{"id":`, recording.Ref{}, "invalid JSON"},
		{"trailing garbage", `{"id":1727} x`, recording.Ref{}, "invalid JSON"},
		{"empty payload", ``, recording.Ref{}, "invalid JSON"},
		{"array", `[{"id":1727}]`, recording.Ref{}, "found a JSON array"},
		{"number", `1727`, recording.Ref{}, "found a JSON number"},
		{"string", `"1727"`, recording.Ref{}, "found a JSON string"},
		{"MaxEventSize+1 bytes", padded(MaxEventSize + 1), recording.Ref{}, "more than 262144"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeDirect([]byte(tt.payload))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("DecodeDirect(%.60q) = %v", tt.payload, err)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("DecodeDirect(%.60q) = %+v, want %+v", tt.payload, got, tt.want)
				}
				return
			}
			var inv *recording.InvalidInputError
			if !errors.As(err, &inv) {
				t.Fatalf("DecodeDirect(%.60q) = %+v, %v (%T); want an *InvalidInputError", tt.payload, got, err, err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("DecodeDirect(%.60q) error = %q, want it to mention %q", tt.payload, err, tt.wantErr)
			}
			if got != (recording.Ref{}) {
				t.Errorf("DecodeDirect(%.60q) returned %+v with its error, want a zero Ref", tt.payload, got)
			}
			if len(err.Error()) > 300 {
				t.Errorf("error message is %d bytes; it must stay one short line", len(err.Error()))
			}
		})
	}
}

// TestDecodeDirectSampleEvents decodes the sample events that
// `sam local invoke -e events/direct-*.json` and the demo send.
func TestDecodeDirectSampleEvents(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "events", "direct-*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no events/direct-*.json sample events: the samples users invoke with are untested")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			payload, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			ref, err := DecodeDirect(payload)
			if err != nil {
				t.Fatalf("DecodeDirect(%s) = %v", f, err)
			}
			if err := ref.Validate(); err != nil {
				t.Errorf("decoded %+v does not validate: %v", ref, err)
			}
		})
	}
}

func TestDirectCallEnded(t *testing.T) {
	ref, err := DecodeDirect([]byte(`{"file":"a.wav","callEnded":"2026-12-02T03:04:05Z"}`))
	if err != nil || ref.CallEnded == nil || !ref.CallEnded.Equal(time.Date(2026, 12, 2, 3, 4, 5, 0, time.UTC)) {
		t.Fatalf("DecodeDirect = %+v, %v", ref, err)
	}
	for _, bad := range []string{`"yesterday"`, `1764644645`, `null`} {
		_, err := DecodeDirect([]byte(`{"file":"a.wav","callEnded":` + bad + `}`))
		var inv *recording.InvalidInputError
		if bad != "null" && !errors.As(err, &inv) {
			t.Errorf("callEnded %s: %v, want an InvalidInputError", bad, err)
		}
	}
	// A message carries it through the queue.
	body, err := Message(ref)
	if err != nil || !strings.Contains(string(body), `"callEnded":"2026-12-02T03:04:05Z"`) {
		t.Errorf("Message = %s, %v", body, err)
	}
}
