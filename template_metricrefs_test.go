package template_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/lambdafn"
	"github.com/recording-sync/recording-sync/pkg/metrics"
	"github.com/recording-sync/recording-sync/pkg/recording"
)

// metricRef is one metric the template names, in an alarm or on a
// dashboard. CloudFormation references are written as !Sub writes them:
// ${MetricsNamespace}, ${RecordingSyncFunction}, ${RecordingQueue.QueueName}.
type metricRef struct {
	where     string // the alarm or dashboard widget, for messages
	alarm     string // the alarm's logical ID; empty on a dashboard
	namespace string
	name      string
	dims      map[string]string
	stat      string // the statistic, when the alarm or widget names one
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

// awsNamespace is an AWS namespace the template may name: some of its
// metrics, each with one dimension naming a resource of this stack.
type awsNamespace struct {
	dim, resourceType, attr string // attr: "" for !Ref, else the !GetAtt attribute
	names                   []string
}

var awsNamespaces = map[string]awsNamespace{
	"AWS/SQS": {"QueueName", "AWS::SQS::Queue", "QueueName", []string{
		"ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage",
		"ApproximateNumberOfMessagesNotVisible", "NumberOfMessagesSent", "NumberOfMessagesReceived",
	}},
	"AWS/Lambda": {"FunctionName", "AWS::Serverless::Function", "", []string{
		"Errors", "Throttles", "Invocations", "Duration", "ConcurrentExecutions",
	}},
}

// placeholder is a ${Name} or ${Resource.Attribute} of !Sub.
var placeholder = regexp.MustCompile(`\$\{([^}]*)\}`)

// token writes a template value as !Sub would: a string as it is, !Ref X
// as ${X}, !GetAtt X.A as ${X.A}.
func token(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case map[string]any:
		if r, ok := v["Ref"].(string); ok && len(v) == 1 {
			return "${" + r + "}", nil
		}
		if ga, ok := v["Fn::GetAtt"].([]any); ok && len(v) == 1 && len(ga) == 2 {
			return fmt.Sprintf("${%v.%v}", ga[0], ga[1]), nil
		}
	}
	return "", fmt.Errorf("%v is not a string, !Ref or !GetAtt", v)
}

// templateMetrics returns every metric the template's alarms and
// dashboards name, and what is wrong with any of them.
func templateMetrics(t *testing.T, tpl map[string]any) (refs []metricRef, problems []string) {
	t.Helper()
	for _, id := range resourcesOfType(t, tpl, "AWS::CloudWatch::Alarm") {
		r, p := alarmMetrics(t, tpl, id)
		refs, problems = append(refs, r...), append(problems, p...)
	}
	for _, id := range resourcesOfType(t, tpl, "AWS::CloudWatch::Dashboard") {
		r, p := dashboardMetrics(t, tpl, id)
		refs, problems = append(refs, r...), append(problems, p...)
	}
	for _, r := range refs {
		if p := metricProblem(t, tpl, r); p != "" {
			problems = append(problems, r.where+": "+p)
		}
	}
	return refs, problems
}

// alarmMetrics reads an alarm's metric, or the metrics of its metric math.
func alarmMetrics(t *testing.T, tpl map[string]any, id string) (refs []metricRef, problems []string) {
	t.Helper()
	props := getMap(t, tpl, "Resources", id, "Properties")
	list, isMath := props["Metrics"].([]any)
	if !isMath {
		stat, _ := props["Statistic"].(string)
		r, err := alarmMetric(id, id, props, stat)
		if err != nil {
			return nil, []string{err.Error()}
		}
		return []metricRef{r}, nil
	}
	for i, m := range list {
		where := fmt.Sprintf("%s.Metrics[%d]", id, i)
		if e, err := at(m, "Expression"); err == nil {
			if strings.Contains(strings.ToUpper(fmt.Sprint(e)), "SEARCH") {
				problems = append(problems, where+": SEARCH expressions are not checked: name each metric")
			}
			continue
		}
		metric, err := at(m, "MetricStat", "Metric")
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: neither Expression nor MetricStat: %v", where, err))
			continue
		}
		stat, _ := at(m, "MetricStat", "Stat")
		s, _ := stat.(string)
		r, err := alarmMetric(where, id, metric, s)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		refs = append(refs, r)
	}
	return refs, problems
}

// alarmMetric reads Namespace, MetricName and Dimensions of an alarm or of
// a MetricStat's Metric.
func alarmMetric(where, alarm string, v any, stat string) (metricRef, error) {
	r := metricRef{where: where, alarm: alarm, dims: map[string]string{}, stat: stat}
	ns, err := at(v, "Namespace")
	if err == nil {
		r.namespace, err = token(ns)
	}
	if err != nil {
		return r, fmt.Errorf("%s: Namespace: %w", where, err)
	}
	name, _ := at(v, "MetricName")
	if r.name, _ = name.(string); r.name == "" {
		return r, fmt.Errorf("%s: no MetricName", where)
	}
	dims, _ := at(v, "Dimensions")
	list, _ := dims.([]any)
	for _, d := range list {
		dimName, _ := at(d, "Name")
		val, _ := at(d, "Value")
		tok, err := token(val)
		if err != nil {
			return r, fmt.Errorf("%s: dimension %v: %w", where, dimName, err)
		}
		n := fmt.Sprint(dimName)
		if _, dup := r.dims[n]; dup {
			return r, fmt.Errorf("%s: dimension %s twice", where, n)
		}
		r.dims[n] = tok
	}
	return r, nil
}

// dashboardMetrics reads the metrics of a dashboard's metric widgets and
// checks its alarm widgets and the !Sub placeholders of its body.
func dashboardMetrics(t *testing.T, tpl map[string]any, id string) (refs []metricRef, problems []string) {
	t.Helper()
	body, _ := get(t, tpl, "Resources", id, "Properties", "DashboardBody").(map[string]any)
	text, ok := body["Fn::Sub"].(string)
	if !ok {
		return nil, []string{id + ".DashboardBody is not !Sub of a string"}
	}
	for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
		if !resolves(tpl, m[1]) {
			problems = append(problems, fmt.Sprintf("%s: ${%s} names no parameter, resource or attribute", id, m[1]))
		}
	}
	// The placeholders sit inside JSON strings, so the text parses as it is.
	var doc struct {
		Widgets []struct {
			Type       string         `json:"type"`
			Properties map[string]any `json:"properties"`
		} `json:"widgets"`
	}
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		return nil, append(problems, fmt.Sprintf("%s: body is not JSON: %v", id, err))
	}
	for i, w := range doc.Widgets {
		where := fmt.Sprintf("%s widget %d (%v)", id, i, w.Properties["title"])
		switch w.Type {
		case "metric":
			r, p := widgetMetrics(where, w.Properties)
			refs, problems = append(refs, r...), append(problems, p...)
		case "alarm":
			problems = append(problems, alarmWidgetProblems(t, tpl, where, w.Properties)...)
		case "text":
		default:
			problems = append(problems, fmt.Sprintf("%s: widget type %q is not checked", where, w.Type))
		}
	}
	return refs, problems
}

// resolves reports whether a !Sub placeholder names a parameter, a pseudo
// parameter, a resource or a resource's attribute ("!" escapes a literal).
func resolves(tpl map[string]any, name string) bool {
	if strings.HasPrefix(name, "!") || slices.Contains([]string{"AWS::Region", "AWS::StackName", "AWS::AccountId", "AWS::Partition", "AWS::URLSuffix"}, name) {
		return true
	}
	if _, err := at(tpl, "Parameters", name); err == nil {
		return true
	}
	res, _, _ := strings.Cut(name, ".")
	_, err := at(tpl, "Resources", res)
	return err == nil
}

// widgetMetrics reads a metric widget's metrics array: [namespace, name,
// dimension, value, ..., {options}], where "." repeats the item at the
// same place in the metric before.
func widgetMetrics(where string, props map[string]any) (refs []metricRef, problems []string) {
	if props["region"] != "${AWS::Region}" {
		problems = append(problems, fmt.Sprintf("%s: region %v, want ${AWS::Region}", where, props["region"]))
	}
	list, ok := props["metrics"].([]any)
	if !ok || len(list) == 0 {
		return nil, append(problems, where+": no metrics")
	}
	stat, _ := props["stat"].(string)
	var prev []string
	for j, entry := range list {
		r, items, err := widgetMetric(fmt.Sprintf("%s metric %d", where, j), entry, prev, stat)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		if items != nil {
			refs, prev = append(refs, r), items
		}
	}
	return refs, problems
}

// widgetMetric reads one entry of a metrics array; it returns no items for
// a math expression.
func widgetMetric(where string, entry any, prev []string, stat string) (metricRef, []string, error) {
	r := metricRef{where: where, dims: map[string]string{}, stat: stat}
	items, ok := entry.([]any)
	if !ok {
		return r, nil, fmt.Errorf("%s: %v is not an array", where, entry)
	}
	if n := len(items); n > 0 {
		if opts, ok := items[n-1].(map[string]any); ok {
			items = items[:n-1]
			if s, ok := opts["stat"].(string); ok {
				r.stat = s
			}
			if e, ok := opts["expression"].(string); ok && len(items) == 0 {
				if strings.Contains(strings.ToUpper(e), "SEARCH") {
					return r, nil, fmt.Errorf("%s: SEARCH expressions are not checked: name each metric", where)
				}
				return r, nil, nil
			}
		}
	}
	resolved := make([]string, len(items))
	for k, it := range items {
		s, ok := it.(string)
		switch {
		case !ok:
			return r, nil, fmt.Errorf("%s: item %d is %v, want a string", where, k, it)
		case s == "...":
			return r, nil, fmt.Errorf(`%s: "..." is not checked: write each item, or "."`, where)
		case s == "." && k >= len(prev):
			return r, nil, fmt.Errorf(`%s: "." at item %d, which the metric before lacks`, where, k)
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
		if _, dup := r.dims[resolved[k]]; dup {
			return r, nil, fmt.Errorf("%s: dimension %s twice", where, resolved[k])
		}
		r.dims[resolved[k]] = resolved[k+1]
	}
	return r, resolved, nil
}

// alarmWidgetProblems checks that an alarm widget shows alarms of this stack.
func alarmWidgetProblems(t *testing.T, tpl map[string]any, where string, props map[string]any) (problems []string) {
	t.Helper()
	list, _ := props["alarms"].([]any)
	if len(list) == 0 {
		return []string{where + ": no alarms"}
	}
	alarms := resourcesOfType(t, tpl, "AWS::CloudWatch::Alarm")
	for _, a := range list {
		id, ok := strings.CutSuffix(strings.TrimPrefix(fmt.Sprint(a), "${"), ".Arn}")
		if !ok || !slices.Contains(alarms, id) {
			problems = append(problems, fmt.Sprintf("%s: %v is not ${<alarm of this stack>.Arn}", where, a))
		}
	}
	return problems
}

// metricProblem says what is wrong with a metric: not one the functions
// emit, under the namespace and dimensions they use; or not an AWS metric
// of a resource of this stack. It returns "" when nothing is.
func metricProblem(t *testing.T, tpl map[string]any, r metricRef) string {
	t.Helper()
	if r.namespace == nsToken {
		return catalogProblem(r)
	}
	ns, ok := awsNamespaces[r.namespace]
	if !ok {
		return fmt.Sprintf("namespace %q: want %s (the MetricsNamespace parameter), AWS/SQS or AWS/Lambda", r.namespace, nsToken)
	}
	if !slices.Contains(ns.names, r.name) {
		return fmt.Sprintf("%s %s is not a metric of %s (%v)", r.namespace, r.name, r.namespace, ns.names)
	}
	if len(r.dims) != 1 || r.dims[ns.dim] == "" {
		return fmt.Sprintf("%s %s: dimensions %v, want only %s", r.namespace, r.name, r.dims, ns.dim)
	}
	res, attr, _ := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(r.dims[ns.dim], "${"), "}"), ".")
	typ, _ := at(tpl, "Resources", res, "Type")
	if attr != ns.attr || typ != ns.resourceType {
		return fmt.Sprintf("%s %s: %s = %s, want a %s of this stack", r.namespace, r.name, ns.dim, r.dims[ns.dim], ns.resourceType)
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
