package recording

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// JSONProblem describes err, an encoding/json decoding error, without
// quoting the input: a syntax error's own text shows the character it
// met, which may be a secret's. A value of the wrong type is "found a
// JSON <kind>", and names the field it is in when there is one.
func JSONProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d", syn.Offset)
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Sprintf("found a JSON %s in field %s", typ.Value, typ.Field)
	case errors.As(err, &typ):
		return fmt.Sprintf("found a JSON %s", typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return strings.TrimPrefix(err.Error(), "json: ")
	default:
		return "invalid JSON"
	}
}
