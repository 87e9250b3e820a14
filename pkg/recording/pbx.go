package recording

import (
	"fmt"
	"strconv"
)

// DefaultPBX is the id of the PBX the single-PBX configuration (PBX_BASE_URL
// and its companions) describes; a reference or message without "pbx" names
// it.
const DefaultPBX = "default"

// MaxPBXIDLen bounds a PBX id.
const MaxPBXIDLen = 32

// ValidatePBX accepts a PBX id: 1 to 32 characters from a-z, 0-9 and "-".
// An id becomes part of a URL path, a secret's name and an object key, so
// it is kept to characters that need no escaping anywhere.
func ValidatePBX(id string) error {
	if id == "" || len(id) > MaxPBXIDLen {
		return &InvalidInputError{Reason: fmt.Sprintf("pbx %s is not a PBX id: want 1 to %d characters from a-z, 0-9 and -", quoteID(id), MaxPBXIDLen)}
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return &InvalidInputError{Reason: fmt.Sprintf("pbx %s is not a PBX id: want 1 to %d characters from a-z, 0-9 and -", quoteID(id), MaxPBXIDLen)}
		}
	}
	return nil
}

// PBXOf is the id of the PBX ref names: DefaultPBX when it names none.
func PBXOf(ref Ref) string {
	if ref.PBX == "" {
		return DefaultPBX
	}
	return ref.PBX
}

// quoteID quotes an id for a message, shortened and ASCII-only: it may be
// anything an event carried.
func quoteID(id string) string {
	return strconv.QuoteToASCII(truncate(id, 40))
}
