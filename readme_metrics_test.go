package template_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/metrics"
)

// TestReadmeListsEveryMetric: the README's metrics table is the catalog,
// row for row, so that what an operator reads is what the functions emit.
func TestReadmeListsEveryMetric(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range metrics.Catalog {
		row := fmt.Sprintf("| `%s` | %s | `%s` | %s |\n", m.Name, m.Unit, m.Function, m.Help)
		if !strings.Contains(string(readme), row) {
			t.Errorf("README.md lacks the row\n%s", row)
		}
	}
	if !strings.Contains(string(readme), "`METRICS_NAMESPACE`") {
		t.Error("README.md does not document METRICS_NAMESPACE")
	}
}
