package trigger

import (
	"encoding/json"

	"github.com/recording-sync/recording-sync/pkg/recording"
)

// decodeCall decodes a message's "call" object. It must be an object (or
// null); within it, the details are kept where they can be and never fail
// the message, as the copy must never fail over metadata: a field that is
// not a string, is too long or is not UTF-8 is left out, and a field this
// version does not know (a newer sender's) is ignored.
func decodeCall(raw json.RawMessage) (*recording.Call, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, invalid("call is not a JSON object: %s", recording.JSONProblem(err))
	}
	if fields == nil {
		return nil, nil // "call": null is no call
	}
	var call recording.Call
	for _, f := range call.Fields() {
		if v, ok := fields[f.Name]; ok {
			_ = json.Unmarshal(v, f.Value) // a non-string leaves the field empty
		}
	}
	call = call.Sanitized()
	if call.IsZero() {
		return nil, nil
	}
	return &call, nil
}

// cdrCall takes the call's details from a 30012 msg: the string fields it
// has, leaving out any the PBX sent as another type or beyond the bounds,
// since the details never decide whether a recording is copied.
func cdrCall(msg map[string]json.RawMessage, sn string) *recording.Call {
	call := recording.Call{SN: sn}
	for _, f := range call.Fields() {
		if raw, ok := msg[f.Name]; ok && f.Name != "sn" {
			_ = json.Unmarshal(raw, f.Value) // a non-string leaves the field empty
		}
	}
	call = call.Sanitized()
	if call.IsZero() {
		return nil
	}
	return &call
}
