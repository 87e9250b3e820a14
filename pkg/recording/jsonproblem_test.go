package recording

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestJSONProblem: each kind of decoding error is described, and none
// quotes the input it met.
func TestJSONProblem(t *testing.T) {
	const secret = "s3cr3t"
	var into struct {
		Token string `json:"token"`
	}
	strict := func(raw string) error {
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.DisallowUnknownFields()
		return dec.Decode(&into)
	}
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"syntax", json.Unmarshal([]byte(`{"token":`+secret+`}`), &into), "invalid JSON at byte 10"},
		{"type in a field", json.Unmarshal([]byte(`{"token":7}`), &into), "found a JSON number in field token"},
		{"type", json.Unmarshal([]byte(`["`+secret+`"]`), &into), "found a JSON array"},
		{"unknown field", strict(`{"other":"` + secret + `"}`), `unknown field "other"`},
		{"other", json.NewDecoder(bytes.NewReader(nil)).Decode(&into), "invalid JSON"},
		{"not JSON's", errors.New(secret), "invalid JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := JSONProblem(tc.err)
			if got != tc.want || strings.Contains(got, secret) {
				t.Errorf("JSONProblem(%v) = %q, want %q", tc.err, got, tc.want)
			}
		})
	}
}
