package template_test

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// minGo is the oldest Go release the modules may be built with: the first
// without the standard-library vulnerabilities known when it was set.
const minGo = "1.26.8"

// TestGoModRequiresPatchedGo checks that every go.mod names a patch release
// no older than minGo on its go line, which the go command enforces, so
// that a build cannot pick an older Go.
func TestGoModRequiresPatchedGo(t *testing.T) {
	want := strings.Split(minGo, ".")
	for _, path := range []string{"go.mod", "tools/go.mod", "tools/lint/go.mod"} {
		m := regexp.MustCompile(`(?m)^go (\d+)\.(\d+)\.(\d+)\s*$`).FindStringSubmatch(string(readFile(t, path)))
		if m == nil || slices.CompareFunc(m[1:], want, func(a, b string) int {
			x, _ := strconv.Atoi(a)
			y, _ := strconv.Atoi(b)
			return x - y
		}) < 0 {
			t.Errorf("%s: go line %v, want a patch release of at least %s", path, m, minGo)
		}
	}
}
