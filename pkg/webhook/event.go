package webhook

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/trigger"
)

// eventType lets a signed 30012 through (ok); it answers 400 to a body
// that is not a JSON object, and 200 to any other object: the PBX's "Send
// Test Message" posts an object of undocumented content, without a type
// as far as is known, and the PBX may push events of other types.
func eventType(body []byte) (answer, bool) {
	var head struct {
		Type json.RawMessage `json:"type"`
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' || json.Unmarshal(trimmed, &head) != nil {
		return answer{status: http.StatusBadRequest, reason: "signed body is not a JSON object"}, false
	}
	switch typ := string(head.Type); typ {
	case strconv.Itoa(trigger.EventNewCDR):
		return answer{}, true
	case "", "null":
		return answer{message: "webhook test message", status: http.StatusOK, reason: "signed JSON without a type: acknowledged"}, false
	default:
		typ = eventTypeName(typ)
		return answer{message: "webhook event ignored", status: http.StatusOK, reason: "event type " + typ + " is not 30012: ignored",
			attrs: []any{slog.String("type", typ)}}, false
	}
}

// stale answers 200 without queueing a 30012 whose call started more than
// maxCallAge before it arrived (see Options.MaxCallAge).
func (h *Handler) stale(ref *recording.Ref, arrived time.Time, attrs []any) (answer, bool) {
	if h.maxCallAge <= 0 || ref.Call == nil {
		return answer{}, false
	}
	start, ok := trigger.CallStart(*ref.Call)
	if !ok || arrived.Sub(start) <= h.maxCallAge {
		return answer{}, false
	}
	return answer{status: http.StatusOK, attrs: attrs,
		reason: "call started " + ref.Call.TimeStart + ", more than " + h.maxCallAge.String() + " ago: a replay or an overdue retry, not queued"}, true
}

// eventTypeName is how a log line names an event type other than 30012:
// Yeastar's event types are integers, logged as such; anything else is
// body content a log line must not show, so only its JSON kind is named.
func eventTypeName(raw string) string {
	if n, err := strconv.ParseUint(raw, 10, 32); err == nil {
		return strconv.FormatUint(n, 10)
	}
	switch raw[0] {
	case '"':
		return "(a string)"
	case '{':
		return "(an object)"
	case '[':
		return "(an array)"
	}
	return "(not an integer)"
}
