package trigger

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/recording-sync/recording-sync/pkg/recording"
)

// MaxEventSize bounds an event, as Lambda bounds asynchronous payloads.
const MaxEventSize = 256 << 10

// invalid returns an *recording.InvalidInputError.
func invalid(format string, args ...any) error {
	return &recording.InvalidInputError{Reason: fmt.Sprintf(format, args...)}
}

// DecodeDirect decodes a direct invocation: {"id": N} with N a positive
// integer (a numeric string is accepted too), {"file": "NAME"}, or both
// naming one recording, with an optional "call" object holding the call's
// details (see recording.Call), an optional "callEnded" (RFC 3339: when
// the call ended) and an optional "pbx" naming the PBX (absent:
// recording.DefaultPBX, which is also read back as absent). Unknown
// fields, or neither key, are rejected.
func DecodeDirect(payload []byte) (recording.Ref, error) {
	if len(payload) > MaxEventSize {
		return recording.Ref{}, invalid("event is %d bytes, more than %d", len(payload), MaxEventSize)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(payload, &fields); err != nil {
		return recording.Ref{}, invalid("event is not a JSON object: %s", recording.JSONProblem(err))
	}
	var ref recording.Ref
	for name, raw := range fields {
		var err error
		switch name {
		case "id":
			ref.ID, err = decodeID(raw)
		case "file":
			ref.File, err = decodeString(raw, "file", recording.ValidateFileName)
		case "call":
			ref.Call, err = decodeCall(raw)
		case "callEnded":
			ref.CallEnded, err = decodeTime(raw)
		case "pbx":
			ref.PBX, err = decodePBX(raw)
		default:
			err = invalid("unknown field %q: want {\"id\": N}, {\"file\": \"NAME\"} or both, and an optional \"call\", \"callEnded\" and \"pbx\"", truncate(name, 40))
		}
		if err != nil {
			return recording.Ref{}, err
		}
	}
	if err := ref.Validate(); err != nil {
		return recording.Ref{}, err
	}
	return ref, nil
}

// decodeID accepts a positive JSON integer or a string of decimal digits.
func decodeID(raw json.RawMessage) (int64, error) {
	text := string(bytes.TrimSpace(raw))
	if strings.HasPrefix(text, `"`) {
		if err := json.Unmarshal(raw, &text); err != nil {
			return 0, invalid("id is not a valid string")
		}
	}
	id, err := strconv.ParseInt(text, 10, 64)
	if err != nil || id <= 0 || strings.HasPrefix(text, "+") {
		return 0, invalid("id %s is not a positive integer", truncate(string(raw), 40))
	}
	return id, nil
}

// decodePBX accepts a JSON string holding a PBX id; recording.DefaultPBX
// becomes "", as a reference to the default PBX carries none.
func decodePBX(raw json.RawMessage) (string, error) {
	id, err := decodeString(raw, "pbx", recording.ValidatePBX)
	if id == recording.DefaultPBX {
		return "", err
	}
	return id, err
}

// decodeTime accepts an RFC 3339 time.
func decodeTime(raw json.RawMessage) (*time.Time, error) {
	var t time.Time
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, invalid("callEnded %s is not an RFC 3339 time", truncate(string(raw), 40))
	}
	return &t, nil
}

// decodeString accepts a JSON string that valid accepts; field names it
// in the error when it is no string.
func decodeString(raw json.RawMessage, field string, valid func(string) error) (string, error) {
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", invalid("%s is not a string", field)
	}
	if err := valid(v); err != nil {
		return "", err
	}
	return v, nil
}

// truncate shortens s to at most n bytes (plus "...") for messages. It cuts
// on a rune boundary and replaces invalid UTF-8, which raw JSON may hold, so
// that a message is always valid UTF-8.
func truncate(s string, n int) string {
	if len(s) > n {
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n] + "..."
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
