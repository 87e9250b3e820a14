package template_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/recording-sync/recording-sync/pkg/lambdafn"
	"github.com/recording-sync/recording-sync/pkg/metrics"
	"github.com/recording-sync/recording-sync/pkg/recording"
)

// nsToken is the MetricsNamespace parameter, as a namespace.
const nsToken = "${MetricsNamespace}"

// emitters maps each function of the catalog to its logical ID.
var emitters = map[string]string{metrics.FunctionCopy: functionID, metrics.FunctionWebhook: webhookID, metrics.FunctionReconcile: reconcileID}

// errorTypes are the errorType values the copy function reports: the Go
// names of its error types, as the Lambda runtime reports them.
var errorTypes = []string{
	typeName[recording.PermanentError](), typeName[recording.RetryableError](), typeName[recording.NotYetAvailableError](),
	typeName[recording.TimeoutError](), typeName[recording.InvalidInputError](), typeName[lambdafn.PanicError](),
}

func typeName[T any]() string { return reflect.TypeFor[T]().Name() }

// awsMetrics are the AWS metrics the template may name, by namespace: each
// of a resource of this stack of resourceType, as dim names it.
var awsMetrics = map[string]struct{ dim, resourceType, attribute, names string }{
	"AWS/SQS": {"QueueName", "AWS::SQS::Queue", ".QueueName", "ApproximateNumberOfMessagesVisible ApproximateAgeOfOldestMessage " +
		"ApproximateNumberOfMessagesNotVisible NumberOfMessagesSent NumberOfMessagesReceived"},
	"AWS/Lambda": {"FunctionName", "AWS::Serverless::Function", "", "Errors Throttles Invocations Duration ConcurrentExecutions"},
}

// metricKey names a metric as !Sub writes it: namespace, name, then the
// dimensions' name=value pairs (a name, then its value), sorted.
func metricKey(namespace, name string, dims ...string) string {
	var pairs []string
	for i := 0; i+1 < len(dims); i += 2 {
		pairs = append(pairs, dims[i]+"="+dims[i+1])
	}
	slices.Sort(pairs)
	return strings.Join(append([]string{namespace, name}, pairs...), " ")
}

// emitted returns every metric the stack's functions publish (true), with
// the dimensions metrics.Emitter writes, and AWS publishes for it (false).
func (s *stack) emitted() map[string]bool {
	out := map[string]bool{}
	for _, m := range metrics.Catalog {
		fn := "${" + emitters[m.Function] + "}"
		out[metricKey(nsToken, m.Name, metrics.DimFunction, fn)] = true
		for _, et := range errorTypes {
			if m.ByErrorType {
				out[metricKey(nsToken, m.Name, metrics.DimFunction, fn, metrics.DimErrorType, et)] = true
			}
		}
	}
	for ns, a := range awsMetrics {
		for _, id := range s.resources(a.resourceType) {
			for _, name := range strings.Fields(a.names) {
				out[metricKey(ns, name, a.dim, "${"+id+a.attribute+"}")] = false
			}
		}
	}
	return out
}

// named returns where each metric the alarms and dashboards name is named,
// and whether a dashboard names it; it reports the entries it cannot read.
func (s *stack) named() (where map[string][]string, onDashboard map[string]bool) {
	where, onDashboard = map[string][]string{}, map[string]bool{}
	for _, id := range s.resources("AWS::CloudWatch::Alarm") {
		props := mapAt(s.tpl, "Resources."+id+".Properties")
		for _, m := range append(asList(props["Metrics"]), map[string]any{"MetricStat": map[string]any{"Metric": props}}) {
			if metric := mapAt(m, "MetricStat.Metric"); metric["MetricName"] != nil {
				var dims []string
				for _, d := range asList(metric["Dimensions"]) {
					dims = append(dims, fmt.Sprint(at(d, "Name")), token(at(d, "Value")))
				}
				key := metricKey(token(metric["Namespace"]), fmt.Sprint(metric["MetricName"]), dims...)
				where[key] = append(where[key], id)
			}
		}
	}
	for _, id := range s.resources("AWS::CloudWatch::Dashboard") {
		for _, w := range s.widgets(id) {
			var prev []string
			for j, entry := range asList(at(w, "properties.metrics")) {
				here := fmt.Sprintf("%s widget %q metric %d", id, at(w, "properties.title"), j)
				if items := s.widgetMetric(here, asList(entry), prev); items != nil {
					key := metricKey(items[0], items[1], items[2:]...)
					where[key], onDashboard[key], prev = append(where[key], here), true, items
				}
			}
		}
	}
	return where, onDashboard
}

// widgets parses a dashboard's !Sub body: its placeholders sit inside JSON
// strings, so the text parses as it is.
func (s *stack) widgets(id string) []any {
	var doc any
	if err := json.Unmarshal([]byte(fmt.Sprint(at(s.tpl, "Resources."+id+".Properties.DashboardBody.Fn::Sub"))), &doc); err != nil {
		s.errorf("%s.DashboardBody is not !Sub of JSON: %v", id, err)
	}
	return asList(at(doc, "widgets"))
}

// widgetMetric reads [namespace, name, dimension, value, ..., {options}],
// "." repeating the item above; nil for a math expression, or an entry it
// cannot read, which it reports.
func (s *stack) widgetMetric(where string, items []any, prev []string) []string {
	if _, ok := at(items, fmt.Sprint(len(items)-1)).(map[string]any); ok {
		if items = items[:len(items)-1]; len(items) == 0 {
			return nil
		}
	}
	resolved := make([]string, len(items))
	for k, it := range items {
		if resolved[k], _ = it.(string); resolved[k] == "." && k < len(prev) {
			resolved[k] = prev[k]
		}
	}
	if len(resolved) < 2 || len(resolved)%2 != 0 || slices.ContainsFunc(resolved, func(r string) bool { return r == "" || r == "." }) {
		s.errorf(`%s: %v is not namespace, name and dimension pairs (write each item, or "." for the one above)`, where, items)
		return nil
	}
	return resolved
}

// checkMetrics: an alarm or a widget on a metric nobody publishes shows
// nothing, silently; a dashboard missing one hides it.
func checkMetrics(s *stack) {
	s.expect(!strings.Contains(strings.ToUpper(s.text), "SEARCH("), "SEARCH expressions name metrics no check can read: name each metric")
	where, shown := s.named()
	for key, ours := range s.emitted() {
		s.expect(!ours || shown[key], "the dashboard does not show %s", key)
		delete(where, key)
	}
	for key, w := range where {
		s.errorf("%v name %s, which neither a function of the catalog nor AWS publishes for this stack", w, key)
	}
	for _, id := range s.functions() {
		ns := token(s.env(id)["METRICS_NAMESPACE"])
		s.expect(ns == nsToken, "%s emits under %q, want %s", id, ns, nsToken)
	}
	alarms := s.resources("AWS::CloudWatch::Alarm")
	for _, id := range alarms {
		a := tokens(at(s.tpl, "Resources."+id+".Properties.AlarmActions"))
		s.expect(slices.Equal(a, []string{"${AlarmTopicArn}"}), "%s notifies %v, want AlarmTopicArn", id, a)
	}
	for _, id := range s.resources("AWS::CloudWatch::Dashboard") {
		var listed []string
		for _, w := range s.widgets(id) {
			for _, a := range tokens(at(w, "properties.alarms")) {
				listed = append(listed, logicalID(a))
			}
		}
		slices.Sort(listed)
		s.expect(slices.Equal(listed, alarms), "%s's alarm widgets show %v, want every alarm, %v", id, listed, alarms)
	}
}

// checkNamespacePattern: on every string of up to five characters of an
// alphabet that exercises the AWS/ rule, and at the length limits.
func checkNamespacePattern(s *stack) {
	p := mapAt(s.tpl, "Parameters.MetricsNamespace")
	re, err := regexp.Compile(fmt.Sprint(p["AllowedPattern"]))
	all := []string{""}
	for i := 0; utf8.RuneCountInString(all[i]) < 5; i++ {
		for _, c := range []string{"A", "W", "S", "/", "a", " ", "$", "é"} {
			all = append(all, all[i]+c)
		}
	}
	var wrong []string
	for _, ns := range append(all, metrics.DefaultNamespace, "My App/Recordings.v2#1:x-y_z", strings.Repeat("a", 255), strings.Repeat("a", 256)) {
		cfn := err == nil && len(ns) >= number(p["MinLength"]) && len(ns) <= number(p["MaxLength"]) && re.MatchString(ns)
		if _, err := metrics.NewEmitter(ns, "f"); cfn != (err == nil) {
			wrong = append(wrong, fmt.Sprintf("%q (template %v, NewEmitter %v)", ns, cfn, err))
		}
	}
	s.expect(len(wrong) == 0, "MetricsNamespace and NewEmitter disagree on %d namespaces, e.g. %v", len(wrong), wrong[:min(len(wrong), 3)])
}
