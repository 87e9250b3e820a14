// Package opt holds the one rule the Options structs share for their
// numbers: zero or less means "not set", and the default stands instead.
package opt

import "time"

// Positive returns v if it is above zero, else def.
func Positive[T int | int64 | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}
