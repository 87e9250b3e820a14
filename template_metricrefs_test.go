package template_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/lambdafn"
	"github.com/recording-sync/recording-sync/pkg/metrics"
	"github.com/recording-sync/recording-sync/pkg/recording"
)

// metricRef is one metric the template names, in an alarm or on a
// dashboard, with references written as !Sub writes them.
type metricRef struct {
	where     string // the alarm or widget, for messages
	alarm     string // the alarm's logical ID; empty on a dashboard
	namespace string
	name      string
	dims      map[string]string
}

// nsToken is the MetricsNamespace parameter, as a namespace.
const nsToken = "${MetricsNamespace}"

// emitters maps each function of the catalog to its logical ID.
var emitters = map[string]string{
	metrics.FunctionCopy:      functionID,
	metrics.FunctionWebhook:   webhookID,
	metrics.FunctionReconcile: reconcileID,
}

// errorTypes are the errorType values the copy function reports: the Go
// names of its error types, as the Lambda runtime reports them.
var errorTypes = []string{
	typeName[recording.PermanentError](), typeName[recording.RetryableError](),
	typeName[recording.NotYetAvailableError](), typeName[recording.TimeoutError](),
	typeName[recording.InvalidInputError](), typeName[lambdafn.PanicError](),
}

func typeName[T any]() string { return reflect.TypeFor[T]().Name() }

// awsMetrics are the AWS metrics the template may name, by namespace: each
// with one dimension naming a resource of this stack of the given type.
var awsMetrics = map[string]struct {
	dim, resourceType string
	names             []string
}{
	"AWS/SQS": {"QueueName", "AWS::SQS::Queue", []string{"ApproximateNumberOfMessagesVisible",
		"ApproximateAgeOfOldestMessage", "ApproximateNumberOfMessagesNotVisible", "NumberOfMessagesSent", "NumberOfMessagesReceived"}},
	"AWS/Lambda": {"FunctionName", "AWS::Serverless::Function", []string{"Errors", "Throttles", "Invocations", "Duration", "ConcurrentExecutions"}},
}

// templateMetrics returns every metric the alarms and dashboards name, and
// what is wrong with any of them.
func templateMetrics(t *testing.T, tpl map[string]any) (refs []metricRef, problems []string) {
	t.Helper()
	add := func(r metricRef, err error) {
		if err != nil {
			problems = append(problems, err.Error())
		} else if r.name != "" {
			refs = append(refs, r)
		}
	}
	for _, id := range resourcesOfType(t, tpl, "AWS::CloudWatch::Alarm") {
		props := getMap(t, tpl, "Resources", id, "Properties")
		list, isMath := props["Metrics"].([]any)
		if !isMath {
			add(alarmMetric(id, id, props))
		}
		for i, m := range list {
			where := fmt.Sprintf("%s.Metrics[%d]", id, i)
			if e, err := at(m, "Expression"); err == nil {
				add(metricRef{}, refuseSearch(where, e))
			} else {
				metric, _ := at(m, "MetricStat", "Metric")
				add(alarmMetric(where, id, metric))
			}
		}
	}
	for _, id := range resourcesOfType(t, tpl, "AWS::CloudWatch::Dashboard") {
		for _, w := range dashboardWidgets(t, tpl, id) {
			var prev []string
			for j, entry := range w.Properties.Metrics {
				r, items, err := widgetMetric(fmt.Sprintf("%s widget %q metric %d", id, w.Properties.Title, j), entry, prev)
				add(r, err)
				prev = cmpOr(items, prev)
			}
		}
	}
	for _, r := range refs {
		if p := metricProblem(tpl, r); p != "" {
			problems = append(problems, r.where+": "+p)
		}
	}
	return refs, problems
}

func cmpOr(a, b []string) []string {
	if a != nil {
		return a
	}
	return b
}

func refuseSearch(where string, expr any) error {
	if strings.Contains(strings.ToUpper(fmt.Sprint(expr)), "SEARCH") {
		return fmt.Errorf("%s: SEARCH expressions are not checked: name each metric", where)
	}
	return nil
}

// alarmMetric reads Namespace, MetricName and Dimensions of an alarm or of
// a MetricStat's Metric.
func alarmMetric(where, alarm string, v any) (metricRef, error) {
	r := metricRef{where: where, alarm: alarm, dims: map[string]string{}}
	ns, _ := at(v, "Namespace")
	name, _ := at(v, "MetricName")
	r.name, _ = name.(string)
	var err error
	if r.namespace, err = token(ns); err != nil {
		return r, fmt.Errorf("%s: namespace: %w", where, err)
	}
	if r.name == "" {
		return r, fmt.Errorf("%s: no MetricName", where)
	}
	dims, _ := at(v, "Dimensions")
	list, _ := dims.([]any)
	for _, d := range list {
		n, _ := at(d, "Name")
		val, _ := at(d, "Value")
		r.dims[fmt.Sprint(n)], err = token(val)
		if err != nil {
			return r, fmt.Errorf("%s: dimension %v: %w", where, n, err)
		}
	}
	return r, nil
}

// widget is a dashboard widget, as much of it as the checks read.
type widget struct {
	Type       string
	Properties struct {
		Title   string
		Metrics []any
		Alarms  []string
	}
}

// dashboardWidgets parses a dashboard's !Sub body: its placeholders sit
// inside JSON strings, so the text parses as it is.
func dashboardWidgets(t *testing.T, tpl map[string]any, id string) []widget {
	t.Helper()
	text, _ := get(t, tpl, "Resources", id, "Properties", "DashboardBody", "Fn::Sub").(string)
	var doc struct{ Widgets []widget }
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatalf("%s.DashboardBody is not !Sub of JSON: %v", id, err)
	}
	return doc.Widgets
}

// widgetMetric reads one entry of a metric widget's metrics array:
// [namespace, name, dimension, value, ..., {options}], where "." repeats
// the item at the same place in the metric before. It returns no items for
// a math expression.
func widgetMetric(where string, entry any, prev []string) (metricRef, []string, error) {
	r := metricRef{where: where, dims: map[string]string{}}
	items, _ := entry.([]any)
	if n := len(items); n > 0 {
		if opts, ok := items[n-1].(map[string]any); ok {
			items = items[:n-1]
			if e, ok := opts["expression"]; ok && n == 1 {
				return r, nil, refuseSearch(where, e)
			}
		}
	}
	resolved := make([]string, len(items))
	for k, it := range items {
		s, _ := it.(string)
		switch {
		case s == "..." || s == "" || (s == "." && k >= len(prev)):
			return r, nil, fmt.Errorf(`%s: item %d is %v: write each item, or "." for the one above`, where, k, it)
		case s == ".":
			s = prev[k]
		}
		resolved[k] = s
	}
	if len(resolved) < 2 || len(resolved)%2 != 0 {
		return r, nil, fmt.Errorf("%s: %v is not namespace, name and dimension pairs", where, resolved)
	}
	r.namespace, r.name = resolved[0], resolved[1]
	for k := 2; k < len(resolved); k += 2 {
		r.dims[resolved[k]] = resolved[k+1]
	}
	return r, resolved, nil
}

// metricProblem says what is wrong with a metric: not one the functions
// emit, under the namespace and dimensions they use; or not an AWS metric
// of a resource of this stack. It returns "" when nothing is.
func metricProblem(tpl map[string]any, r metricRef) string {
	if r.namespace == nsToken {
		return catalogProblem(r)
	}
	ns, ok := awsMetrics[r.namespace]
	switch {
	case !ok:
		return fmt.Sprintf("namespace %q: want %s (the MetricsNamespace parameter), AWS/SQS or AWS/Lambda", r.namespace, nsToken)
	case !slices.Contains(ns.names, r.name):
		return fmt.Sprintf("%s is not a metric of %s (%v)", r.name, r.namespace, ns.names)
	case len(r.dims) != 1 || r.dims[ns.dim] == "":
		return fmt.Sprintf("%s: dimensions %v, want only %s", r.name, r.dims, ns.dim)
	}
	if typ, _ := at(tpl, "Resources", logicalID(r.dims[ns.dim]), "Type"); typ != ns.resourceType || !strings.HasPrefix(r.dims[ns.dim], "${") {
		return fmt.Sprintf("%s: %s = %s, want a %s of this stack", r.name, ns.dim, r.dims[ns.dim], ns.resourceType)
	}
	return ""
}

// catalogProblem checks a metric of the MetricsNamespace against the catalog.
func catalogProblem(r metricRef) string {
	m, ok := metrics.Lookup(r.name)
	if !ok {
		return fmt.Sprintf("%s is not in metrics.Catalog: no function emits it", r.name)
	}
	want := []string{metrics.DimFunction}
	if et, ok := r.dims[metrics.DimErrorType]; ok {
		if !m.ByErrorType {
			return fmt.Sprintf("%s has an errorType dimension, but is not published ByErrorType", r.name)
		}
		if !slices.Contains(errorTypes, et) {
			return fmt.Sprintf("%s: errorType %q is none the copy function reports %v", r.name, et, errorTypes)
		}
		want = append(want, metrics.DimErrorType)
	}
	slices.Sort(want)
	if got := slices.Sorted(maps.Keys(r.dims)); !slices.Equal(got, want) {
		return fmt.Sprintf("%s: dimensions %v, want %v", r.name, got, want)
	}
	if fn := "${" + emitters[m.Function] + "}"; r.dims[metrics.DimFunction] != fn {
		return fmt.Sprintf("%s: function = %s, want %s, the function that emits it", r.name, r.dims[metrics.DimFunction], fn)
	}
	return ""
}
