package main

import (
	"fmt"
	"strconv"
	"strings"
)

// Byte units accepted by parseSize, binary only: a "1GB" recording is
// ambiguous, 1GiB is not.
var units = []struct {
	suffix string
	shift  uint
}{
	{"KiB", 10}, {"MiB", 20}, {"GiB", 30}, {"TiB", 40}, {"B", 0},
}

// parseSize reads a size such as "64MiB", "1GiB" or "1048576" (bytes).
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	shift := uint(0)
	for _, u := range units {
		if len(t) > len(u.suffix) && strings.EqualFold(t[len(t)-len(u.suffix):], u.suffix) {
			t, shift = strings.TrimSpace(t[:len(t)-len(u.suffix)]), u.shift
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("size %q: want a positive integer with an optional KiB, MiB, GiB or TiB unit", s)
	}
	if n > (1<<62)>>shift {
		return 0, fmt.Errorf("size %q: too large", s)
	}
	return n << shift, nil
}

// parseSizes reads a comma-separated list of sizes, keeping its order.
func parseSizes(s string) ([]int64, error) {
	var sizes []int64
	seen := map[int64]bool{}
	for _, f := range strings.Split(s, ",") {
		if strings.TrimSpace(f) == "" {
			continue
		}
		n, err := parseSize(f)
		if err != nil {
			return nil, err
		}
		if seen[n] {
			return nil, fmt.Errorf("size %q: listed twice", strings.TrimSpace(f))
		}
		seen[n] = true
		sizes = append(sizes, n)
	}
	if len(sizes) == 0 {
		return nil, fmt.Errorf("no size in %q", s)
	}
	return sizes, nil
}

// formatSize renders n in the largest binary unit that divides it, e.g.
// "64 MiB"; other sizes are rendered in bytes.
func formatSize(n int64) string {
	for i := 3; i >= 0; i-- { // TiB down to KiB
		if u := units[i]; n >= 1<<u.shift && n%(1<<u.shift) == 0 {
			return fmt.Sprintf("%d %s", n>>u.shift, u.suffix)
		}
	}
	return fmt.Sprintf("%d B", n)
}

// parseInts reads a comma-separated list of positive integers (memory
// settings in MB).
func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q: want a positive integer", f)
		}
		out = append(out, n)
	}
	return out, nil
}
