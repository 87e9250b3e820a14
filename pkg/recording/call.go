package recording

import (
	"fmt"
	"unicode/utf8"
)

// MaxCallFieldLen bounds each of a call's details; the PBX's are far shorter.
const MaxCallFieldLen = 256

// Call is what the PBX says about the call a recording belongs to. It is
// stored with the recording as object metadata, so that a recording can
// be found from S3 alone. Every field is optional.
type Call struct {
	ID        string `json:"call_id,omitempty"`
	TimeStart string `json:"time_start,omitempty"` // PBX local time, "2006-01-02 15:04:05"
	From      string `json:"call_from,omitempty"`
	To        string `json:"call_to,omitempty"`
	Type      string `json:"type,omitempty"`   // Inbound, Outbound, Internal
	Status    string `json:"status,omitempty"` // ANSWERED, NO ANSWER, ...
	SN        string `json:"sn,omitempty"`     // the PBX's serial number
	UID       string `json:"uid,omitempty"`
}

// CallField is one of a Call's details with its JSON name.
type CallField struct {
	Name  string
	Value *string
}

// Fields lists c's details by their JSON names, in a fixed order.
func (c *Call) Fields() []CallField {
	return []CallField{
		{"call_id", &c.ID}, {"time_start", &c.TimeStart}, {"call_from", &c.From}, {"call_to", &c.To},
		{"type", &c.Type}, {"status", &c.Status}, {"sn", &c.SN}, {"uid", &c.UID},
	}
}

// Validate checks that every field is valid UTF-8 of at most
// MaxCallFieldLen bytes, naming the first that is not.
func (c Call) Validate() error {
	for _, f := range c.Fields() {
		if err := validateCallField(f.Name, *f.Value); err != nil {
			return err
		}
	}
	return nil
}

// Sanitized returns c without the fields Validate would refuse: details
// from the PBX's own events are kept where they can be, never a reason to
// refuse a recording.
func (c Call) Sanitized() Call {
	for _, f := range c.Fields() {
		if validateCallField(f.Name, *f.Value) != nil {
			*f.Value = ""
		}
	}
	return c
}

// IsZero reports whether c holds no detail at all.
func (c Call) IsZero() bool { return c == Call{} }

func validateCallField(name, v string) error {
	switch {
	case len(v) > MaxCallFieldLen:
		return &InvalidInputError{Reason: fmt.Sprintf("call %s is longer than %d bytes", name, MaxCallFieldLen)}
	case !utf8.ValidString(v):
		return &InvalidInputError{Reason: fmt.Sprintf("call %s is not valid UTF-8", name)}
	}
	return nil
}
