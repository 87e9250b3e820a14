package trigger

import (
	"encoding/json"
	"maps"
	"slices"

	"github.com/recording-sync/recording-sync/pkg/recording"
)

// decodeCall decodes a message's "call" object strictly: string fields
// only, no unknown ones, each bounded (recording.Call.Validate).
func decodeCall(raw json.RawMessage) (*recording.Call, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, invalid("call is not a JSON object: %s", jsonProblem(err))
	}
	if fields == nil {
		return nil, nil // "call": null is no call
	}
	var call recording.Call
	known := call.Fields()
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		i := slices.IndexFunc(known, func(f recording.CallField) bool { return f.Name == name })
		if i < 0 {
			return nil, invalid("unknown field %q in call", truncate(name, 40))
		}
		if err := json.Unmarshal(fields[name], known[i].Value); err != nil {
			return nil, invalid("call %s is not a string", name)
		}
	}
	if err := call.Validate(); err != nil {
		return nil, err
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
