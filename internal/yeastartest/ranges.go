package yeastartest

import (
	"strconv"
	"strings"
)

// byteRange is the part of a recording one download serves.
type byteRange struct {
	start, end int64 // served bytes [start, end)
	size       int64 // size of the whole recording
	requested  int64 // start offset the client asked for (for Stats)
	partial    bool  // answer 206 with Content-Range
}

// parseRange interprets a Range header for a recording of size bytes, as an
// HTTP server that supports one range per request does: a missing, malformed
// or multi-range header serves the whole file; ok is false when the range is
// unsatisfiable (416). With disabled, the header is only recorded.
func parseRange(header string, size int64, disabled bool) (r byteRange, ok bool) {
	full := byteRange{start: 0, end: size, size: size}
	spec, found := strings.CutPrefix(strings.TrimSpace(header), "bytes=")
	if !found || strings.Contains(spec, ",") {
		return full, true
	}
	first, last, found := strings.Cut(spec, "-")
	if !found {
		return full, true
	}
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	start, end, valid := bounds(first, last, size)
	switch {
	case !valid:
		return full, true
	case disabled:
		full.requested = max(0, start)
		return full, true
	case start >= size || start >= end:
		return byteRange{size: size, requested: start}, false
	}
	return byteRange{start: start, end: end, size: size, requested: start, partial: true}, true
}

// bounds turns the two sides of "first-last" into [start, end), clamping
// end to size. valid is false for a header the server must ignore.
func bounds(first, last string, size int64) (start, end int64, valid bool) {
	if first == "" { // suffix range: the last n bytes
		n, ok := parseDigits(last)
		if !ok {
			return 0, 0, false
		}
		return max(0, size-n), size, true
	}
	start, ok := parseDigits(first)
	if !ok {
		return 0, 0, false
	}
	if last == "" {
		return start, size, true
	}
	stop, ok := parseDigits(last)
	if !ok || stop < start {
		return 0, 0, false
	}
	return start, min(stop+1, size), true
}

// parseDigits parses a non-empty run of decimal digits.
func parseDigits(s string) (int64, bool) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
