package template_test

import (
	"fmt"
	"regexp"
	"slices"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/metrics"
)

// TestReadmeListsEveryMetric: the README's metrics table is the catalog,
// row for row, so that what an operator reads is what the functions emit.
func TestReadmeListsEveryMetric(t *testing.T) {
	readme := string(readFile(t, "README.md"))
	var want []string
	for _, m := range metrics.Catalog {
		want = append(want, fmt.Sprintf("| `%s` | %s | `%s` | %s |", m.Name, m.Unit, m.Function, m.Help))
	}
	table := regexp.MustCompile(`(?m)^\| metric \| unit \| function \| what \|\n\|[-|]+\|\n((?:\|.*\n)*)`).
		FindStringSubmatch(readmeSection(readme, "## Watching it: metrics, dashboard, alarms"))
	if table == nil {
		t.Fatal("the README has no metrics table (| metric | unit | function | what |)")
	}
	got := regexp.MustCompile(`(?m)^.+$`).FindAllString(table[1], -1)
	for _, row := range got {
		if !slices.Contains(want, row) {
			t.Errorf("the README's metrics table has a row no metric of metrics.Catalog makes:\n%s", row)
		}
	}
	for _, row := range want {
		if n := len(slices.DeleteFunc(slices.Clone(got), func(r string) bool { return r != row })); n != 1 {
			t.Errorf("the README's metrics table has %d of the row\n%s", n, row)
		}
	}
	if !regexp.MustCompile("`METRICS_NAMESPACE`").MatchString(readmeSection(readme, "## Configuration")) {
		t.Error("the README's Configuration does not document METRICS_NAMESPACE")
	}
}
