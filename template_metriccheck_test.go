package template_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/metrics"
)

// checkerStack is the frame of the templates TestMetricChecker checks: the
// functions and a queue, then one alarm and one dashboard.
const checkerStack = `
Parameters:
  MetricsNamespace: {Type: String}
Resources:
  RecordingSyncFunction: {Type: AWS::Serverless::Function}
  PbxWebhookFunction: {Type: AWS::Serverless::Function}
  RecordingReconcileFunction: {Type: AWS::Serverless::Function}
  RecordingQueue: {Type: AWS::SQS::Queue}
  Alarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
`

// TestMetricChecker shows that the checker of TestTemplateMetrics refuses
// each kind of mistake, in an alarm and on a dashboard, and accepts the
// right forms.
func TestMetricChecker(t *testing.T) {
	goodAlarm := `
      Namespace: !Ref MetricsNamespace
      MetricName: RecordingsFailed
      Dimensions:
        - {Name: function, Value: !Ref RecordingSyncFunction}
        - {Name: errorType, Value: PermanentError}
`
	goodMetrics := `[["${MetricsNamespace}", "RecordingsCopied", "function", "${RecordingSyncFunction}"]]`
	for name, c := range map[string]struct {
		alarm   string // the alarm's properties
		metrics string // the dashboard widget's metrics array
		want    string // in the one problem; "" for none
	}{
		"right": {goodAlarm, `[["${MetricsNamespace}", "RecordingsCopied", "function", "${RecordingSyncFunction}"],
			[".", "BytesCopied", ".", "."], ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", "${RecordingQueue.QueueName}"],
			[{"expression": "m1 + m2", "label": "sum"}]]`, ""},
		"misspelt alarm metric": {strings.Replace(goodAlarm, "RecordingsFailed", "RecordingFailed", 1), goodMetrics,
			"RecordingFailed is not in metrics.Catalog"},
		"misspelt errorType": {strings.Replace(goodAlarm, "PermanentError", "PermanentErr", 1), goodMetrics,
			`errorType "PermanentErr" is none`},
		"hard-coded namespace": {strings.Replace(goodAlarm, "!Ref MetricsNamespace", "RecordingSync", 1), goodMetrics,
			`namespace "RecordingSync"`},
		"misspelt dashboard metric through the shorthand": {goodAlarm,
			`[["${MetricsNamespace}", "RecordingsCopied", "function", "${RecordingSyncFunction}"], [".", "BytesCoppied", ".", "."]]`,
			"BytesCoppied is not in metrics.Catalog"},
		"another function's metric": {goodAlarm,
			`[["${MetricsNamespace}", "RecordingsCopied", "function", "${RecordingReconcileFunction}"]]`,
			"want ${RecordingSyncFunction}, the function that emits it"},
		"errorType on a metric not by errorType": {goodAlarm,
			`[["${MetricsNamespace}", "RecordingsCopied", "function", "${RecordingSyncFunction}", "errorType", "PermanentError"]]`,
			"not published ByErrorType"},
		"no function dimension": {goodAlarm, `[["${MetricsNamespace}", "RecordingsCopied"]]`, "dimensions [], want [function]"},
		"queue of another stack": {goodAlarm, `[["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", "other-queue"]]`,
			"want a AWS::SQS::Queue of this stack"},
		"misspelt AWS metric": {goodAlarm, `[["AWS/Lambda", "Error", "FunctionName", "${RecordingSyncFunction}"]]`,
			"Error is not a metric of AWS/Lambda"},
		"SEARCH": {goodAlarm, `[[{"expression": "SEARCH('RecordingsFailed', 'Sum')"}]]`, "SEARCH expressions are not checked"},
		"three dots": {goodAlarm,
			`[["${MetricsNamespace}", "CopyDuration", "function", "${RecordingSyncFunction}"], ["...", {"stat": "p99"}]]`,
			`item 0 is ...: write each item`},
	} {
		t.Run(name, func(t *testing.T) {
			body := `{"widgets": [{"type": "metric", "properties": {"metrics": ` + c.metrics + `}}]}`
			text := checkerStack + c.alarm + `
  Dashboard:
    Type: AWS::CloudWatch::Dashboard
    Properties:
      DashboardBody: !Sub '` + strings.ReplaceAll(body, "'", "''") + `'
`
			refs, problems := templateMetrics(t, parseTemplate(t, name, []byte(text)))
			if c.want == "" {
				if len(problems) > 0 {
					t.Errorf("problems %q, want none", problems)
				}
				if len(refs) != 4 {
					t.Errorf("read %d metrics, want 4: %v", len(refs), refs)
				}
				return
			}
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, c.want) }) {
				t.Errorf("problems %q, want one saying %q", problems, c.want)
			}
		})
	}
}

// TestMetricsNamespacePattern checks that CloudFormation accepts exactly
// the namespaces metrics.NewEmitter does, on every string of up to five
// characters of an alphabet that exercises the AWS/ rule, and at the
// length limits.
func TestMetricsNamespacePattern(t *testing.T) {
	tpl := loadTemplate(t)
	p := getMap(t, tpl, "Parameters", "MetricsNamespace")
	pattern, _ := p["AllowedPattern"].(string)
	re, err := regexp.Compile(pattern)
	if err != nil {
		t.Fatalf("AllowedPattern %q: %v", pattern, err)
	}
	minLen, maxLen := getInt(t, p, "MinLength"), getInt(t, p, "MaxLength")
	check := func(ns string) {
		cfn := len(ns) >= minLen && len(ns) <= maxLen && re.MatchString(ns)
		_, err := metrics.NewEmitter(ns, "f")
		if cfn != (err == nil) {
			t.Errorf("namespace %q: the template accepts it %v, NewEmitter says %v", ns, cfn, err)
		}
	}
	alphabet := []string{"A", "W", "S", "/", "a", " ", "$", "é"}
	level := []string{""}
	for range 5 {
		var next []string
		for _, s := range level {
			check(s)
			for _, c := range alphabet {
				next = append(next, s+c)
			}
		}
		level = next
	}
	for _, s := range level {
		check(s)
	}
	for _, ns := range []string{metrics.DefaultNamespace, "AWS/Lambda", "My App/Recordings.v2#1:x-y_z", strings.Repeat("a", 255), strings.Repeat("a", 256)} {
		check(ns)
	}
}
