package reconcile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/recording-sync/recording-sync/pkg/recording"
)

// Request is what one invocation asks for.
type Request struct {
	Window Window
	// Scheduled marks the trailing window of a scheduled run: besides it,
	// the run continues the windows earlier runs left unfinished.
	Scheduled bool
	// PBX is the PBX a backfill names ("pbx"); empty: every PBX, which
	// is the default one alone while the reconciler serves no other.
	PBX string
}

// Trailing configures the window of a scheduled run: [at - Lookback,
// at - Settle], where at is the time the schedule fired. A recording
// younger than Settle is left to its own event.
type Trailing struct {
	Lookback, Settle time.Duration
}

// scheduledEvent is what an EventBridge schedule (a scheduled rule) sends.
type scheduledEvent struct {
	Source     string    `json:"source"`
	DetailType string    `json:"detail-type"`
	Time       time.Time `json:"time"`
}

// directRequest is a backfill: {"from": "<RFC 3339>", "to": "<RFC 3339>"},
// with an optional "pbx".
type directRequest struct {
	PBX  *string `json:"pbx"`
	From *string `json:"from"`
	To   *string `json:"to"`
}

// maxEventSize bounds an invocation payload; both shapes are small.
const maxEventSize = 64 << 10

// Decode reads an invocation: a scheduled event, whose time (not the
// clock) fixes the trailing window, so that a retried event continues the
// same window; or a direct {"from", "to"} backfill, strictly (an unknown
// field is an error, not silently ignored).
func Decode(raw []byte, t Trailing) (Request, error) {
	if len(raw) > maxEventSize {
		return Request{}, &recording.InvalidInputError{Reason: fmt.Sprintf("payload larger than %d bytes", maxEventSize)}
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(raw, &probe); err != nil {
		return Request{}, &recording.InvalidInputError{Reason: "payload is not a JSON object: want {\"from\": \"<RFC 3339>\", \"to\": \"<RFC 3339>\"} or a scheduled event"}
	}
	if _, ok := probe["detail-type"]; ok {
		return decodeScheduled(raw, t)
	}
	return decodeDirect(raw)
}

// decodeScheduled reads an EventBridge scheduled event.
func decodeScheduled(raw []byte, t Trailing) (Request, error) {
	var ev scheduledEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		return Request{}, &recording.InvalidInputError{Reason: "scheduled event: " + jsonReason(err)}
	}
	if ev.DetailType != "Scheduled Event" || ev.Source != "aws.events" {
		return Request{}, &recording.InvalidInputError{Reason: fmt.Sprintf("event %q from %q is not a scheduled event", ev.DetailType, ev.Source)}
	}
	if ev.Time.IsZero() {
		return Request{}, &recording.InvalidInputError{Reason: "scheduled event has no time"}
	}
	w, err := newWindow(ev.Time.Add(-t.Lookback), ev.Time.Add(-t.Settle))
	if err != nil {
		return Request{}, err
	}
	return Request{Window: w, Scheduled: true}, nil
}

// decodeDirect reads {"from", "to"} and an optional "pbx".
func decodeDirect(raw []byte) (Request, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var d directRequest
	if err := dec.Decode(&d); err != nil {
		return Request{}, &recording.InvalidInputError{Reason: jsonReason(err)}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Request{}, &recording.InvalidInputError{Reason: "trailing data after the JSON object"}
	}
	from, err := parseTime("from", d.From)
	if err != nil {
		return Request{}, err
	}
	to, err := parseTime("to", d.To)
	if err != nil {
		return Request{}, err
	}
	w, err := newWindow(from, to)
	if err != nil {
		return Request{}, err
	}
	req := Request{Window: w}
	if d.PBX != nil {
		if err := recording.ValidatePBX(*d.PBX); err != nil {
			return Request{}, err
		}
		req.PBX = *d.PBX
	}
	return req, nil
}

// served refuses a backfill of a PBX other than the default one: the
// reconciler serves the single-PBX configuration only.
func (r Request) served() error {
	if r.PBX != "" && r.PBX != recording.DefaultPBX {
		return &recording.InvalidInputError{Reason: "PBX " + r.PBX + " is not configured"}
	}
	return nil
}

// parseTime reads a required RFC 3339 field.
func parseTime(name string, v *string) (time.Time, error) {
	if v == nil {
		return time.Time{}, &recording.InvalidInputError{Reason: fmt.Sprintf("%q is required: want {\"from\": \"<RFC 3339>\", \"to\": \"<RFC 3339>\"}", name)}
	}
	t, err := time.Parse(time.RFC3339, *v)
	if err != nil {
		return time.Time{}, &recording.InvalidInputError{Reason: fmt.Sprintf("%q is not an RFC 3339 time (e.g. 2026-01-31T00:00:00Z): %q", name, truncate(*v, 40))}
	}
	return t, nil
}

// jsonReason says what is wrong with a JSON payload, naming the field.
func jsonReason(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return fmt.Sprintf("field %q must be a %s", typeErr.Field, typeErr.Type)
	}
	if msg, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return "unknown field " + msg + ": want only \"from\", \"to\" and \"pbx\""
	}
	return err.Error()
}

// truncate shortens s to at most n bytes for messages.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
