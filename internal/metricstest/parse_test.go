package metricstest_test

import (
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/internal/metricstest"
)

func TestParseNotEMF(t *testing.T) {
	for _, line := range []string{"", "START RequestId: 1", `{"msg":"hello"}`, `{"msg":"cut`, "[1,2]"} {
		data, err := metricstest.Parse([]byte(line))
		if data != nil || err != nil {
			t.Errorf("Parse(%q) = %v, %v; want nothing", line, data, err)
		}
	}
}

// TestParseRefusesWhatCloudWatchWould: each line breaks one rule of the
// EMF specification.
func TestParseRefusesWhatCloudWatchWould(t *testing.T) {
	dir := func(dims, metrics string) string {
		return `{"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"NS","Dimensions":` + dims +
			`,"Metrics":` + metrics + `}]},"function":"f","N":1`
	}
	many := func(n int, each func(i int) string) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = each(i)
		}
		return strings.Join(parts, ",")
	}
	names := many(31, func(i int) string { return `"function"` })
	defs := many(101, func(int) string { return `{"Name":"N"}` })
	tests := []struct{ name, line, want string }{
		{"not JSON", `{"_aws":{"Timestamp":1,`, "not a JSON object"},
		{"no timestamp", `{"_aws":{"CloudWatchMetrics":[]}}`, "Timestamp is missing"},
		{"text timestamp", `{"_aws":{"Timestamp":"now","CloudWatchMetrics":[]}}`, "not an object"},
		{"negative timestamp", `{"_aws":{"Timestamp":-1,"CloudWatchMetrics":[]}}`, "milliseconds"},
		{"no directives", `{"_aws":{"Timestamp":1}}`, "CloudWatchMetrics is missing"},
		{"no namespace", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Dimensions":[],"Metrics":[]}]}}`, "Namespace"},
		{"AWS namespace", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"AWS/X","Dimensions":[],"Metrics":[]}]}}`, "Namespace"},
		{"no dimensions", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"NS","Metrics":[]}]}}`, "Dimensions are missing"},
		{"no metrics", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"NS","Dimensions":[]}]}}`, "Metrics are missing"},
		{"dimension not on the line", dir(`[["missing"]]`, `[{"Name":"N"}]`) + `}`, `dimension "missing"`},
		{"dimension not a string", dir(`[["N"]]`, `[{"Name":"N"}]`) + `}`, `dimension "N"`},
		{"31 dimensions", dir(`[[`+names+`]]`, `[{"Name":"N"}]`) + `}`, "at most 30"},
		{"101 metrics", dir(`[["function"]]`, `[`+defs+`]`) + `}`, "at most 100"},
		{"metric not on the line", dir(`[["function"]]`, `[{"Name":"Gone"}]`) + `}`, "no member"},
		{"metric not a number", dir(`[["function"]]`, `[{"Name":"function"}]`) + `}`, "not a number"},
		{"unknown unit", dir(`[["function"]]`, `[{"Name":"N","Unit":"Recordings"}]`) + `}`, "not a CloudWatch unit"},
		{"bad resolution", dir(`[["function"]]`, `[{"Name":"N","StorageResolution":5}]`) + `}`, "StorageResolution"},
		{"101 values", dir(`[["function"]]`, `[{"Name":"V"}]`) + `,"V":[` + many(101, func(int) string { return "1" }) + `]}`, "1 to 100 numbers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := metricstest.Parse([]byte(tt.line))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%s) = %v, want an error with %q", tt.line, err, tt.want)
			}
		})
	}
}

func TestParseValueArray(t *testing.T) {
	line := `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"NS","Dimensions":[[]],"Metrics":[{"Name":"V","Unit":"Seconds","StorageResolution":60}]}]},"V":[1,2,3.5]}`
	data, err := metricstest.Parse([]byte(line))
	if err != nil || len(data) != 1 || data[0].Sum() != 6.5 || len(data[0].Dimensions) != 0 {
		t.Fatalf("Parse = %v, %v", data, err)
	}
}

func TestParseLog(t *testing.T) {
	good := `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"NS","Dimensions":[["f"]],"Metrics":[{"Name":"N"}]}]},"f":"x","N":2}`
	totals, lines, err := metricstest.ParseLog("START RequestId: 1\n" + good + "\n" + good + "\nEND\n")
	if err != nil || len(lines) != 2 || totals.Get("NS", "N", "f=x") != 4 {
		t.Fatalf("ParseLog = %v, %d lines, %v", totals, len(lines), err)
	}
	if _, _, err := metricstest.ParseLog(good + "\n" + `{"_aws":{}}` + "\n"); err == nil {
		t.Error("a bad EMF line was accepted")
	}
}
