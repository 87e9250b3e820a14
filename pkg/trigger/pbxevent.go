package trigger

import (
	"encoding/json"
	"strings"

	"github.com/recording-sync/recording-sync/pkg/recording"
)

// EventNewCDR is the Yeastar event type sent when a call ends ("New CDR").
const EventNewCDR = 30012

// pbxEvent is a Yeastar event as the webhook or the WebSocket delivers it.
type pbxEvent struct {
	Type *int            `json:"type"`
	SN   string          `json:"sn"`
	Msg  json.RawMessage `json:"msg"`
}

// newCDR is the part of the 30012 msg that decides what to copy; the
// call's details are taken apart (cdrCall), as they never fail an event.
type newCDR struct {
	Recording string `json:"recording"`
}

// decodePBXEvent decodes a 30012 event into the recording it names and
// the call's details (recording.Call), the event's sn among them. msg is a JSON-encoded string (an
// already decoded object is accepted too, for forwarders that unwrap it).
// An empty recording means the call has none: nothing to copy.
func decodePBXEvent(raw []byte) (Item, error) {
	var ev pbxEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		return Item{}, invalid("Yeastar event: %s", recording.JSONProblem(err))
	}
	switch {
	case ev.Type == nil:
		return Item{}, invalid("Yeastar event has no type")
	case *ev.Type != EventNewCDR:
		return Item{}, invalid("Yeastar event type %d is not supported (want %d, New CDR)", *ev.Type, EventNewCDR)
	case len(ev.Msg) == 0:
		return Item{}, invalid("Yeastar 30012 event has no msg")
	}
	msg := []byte(ev.Msg)
	if strings.HasPrefix(strings.TrimSpace(string(msg)), `"`) {
		var text string
		if err := json.Unmarshal(msg, &text); err != nil {
			return Item{}, invalid("Yeastar 30012 msg is not a valid JSON string")
		}
		msg = []byte(text)
	}
	// A null msg would decode into an empty newCDR and pass for a call
	// without a recording: only an object is a CDR.
	fields, err := object(msg, "Yeastar 30012 msg")
	if err != nil {
		return Item{}, err
	}
	var cdr newCDR
	if err := json.Unmarshal(msg, &cdr); err != nil {
		return Item{}, invalid("Yeastar 30012 msg: %s", recording.JSONProblem(err))
	}
	call := cdrCall(fields, ev.SN)
	if cdr.Recording == "" {
		var callID string
		if call != nil {
			callID = call.ID
		}
		return Item{Skip: "call " + truncate(callID, 64) + " has no recording"}, nil
	}
	if err := recording.ValidateFileName(cdr.Recording); err != nil {
		return Item{}, prefix("Yeastar 30012 recording: ", err)
	}
	return Item{Ref: &recording.Ref{File: cdr.Recording, Call: call}}, nil
}

// DecodePBXEvent decodes payload as a Yeastar event pushed by the PBX's
// webhook, and only as that: a 30012 event gives the recording to copy
// with the call's details, or a note that the call has none. Other event
// types are an *recording.InvalidInputError naming the type.
func DecodePBXEvent(payload []byte) (Item, error) {
	if len(payload) > MaxEventSize {
		return Item{}, invalid("event is %d bytes, more than %d", len(payload), MaxEventSize)
	}
	if _, err := object(payload, "Yeastar event"); err != nil {
		return Item{}, err
	}
	return decodePBXEvent(payload)
}
