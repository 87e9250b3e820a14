package template_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/recording-sync/recording-sync/pkg/lambdafn"
	"github.com/recording-sync/recording-sync/pkg/metrics"
	"github.com/recording-sync/recording-sync/pkg/recording"
)

// metricRef is one metric the template names, in an alarm or on a
// dashboard, with references written as !Sub writes them.
type metricRef struct {
	where, namespace, name string
	onDashboard            bool
	dims                   map[string]string
}

// key names a metric: namespace, name and sorted dimensions.
func (r metricRef) key() string {
	key := r.namespace + " " + r.name
	for _, k := range slices.Sorted(maps.Keys(r.dims)) {
		key += " " + k + "=" + r.dims[k]
	}
	return key
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

// metricRefs returns every metric the alarms and dashboards name; it
// reports those it cannot read.
func (s *stack) metricRefs() []metricRef {
	var refs []metricRef
	for _, id := range s.resources("AWS::CloudWatch::Alarm") {
		props := mapAt(s.tpl, "Resources."+id+".Properties")
		metricList, isMath := props["Metrics"].([]any)
		if !isMath {
			metricList = []any{map[string]any{"MetricStat": map[string]any{"Metric": props}}}
		}
		for i, m := range metricList {
			if e := at(m, "Expression"); e != nil {
				s.refuseSearch(id, e)
				continue
			}
			r := metricRef{where: fmt.Sprintf("%s metric %d", id, i), dims: map[string]string{}}
			metric := at(m, "MetricStat.Metric")
			r.namespace, r.name = token(at(metric, "Namespace")), fmt.Sprint(at(metric, "MetricName"))
			list, _ := at(metric, "Dimensions").([]any)
			for _, d := range list {
				r.dims[fmt.Sprint(at(d, "Name"))] = token(at(d, "Value"))
			}
			refs = append(refs, r)
		}
	}
	for _, id := range s.resources("AWS::CloudWatch::Dashboard") {
		for _, w := range s.widgets(id) {
			var prev []string
			for j, entry := range w.Properties.Metrics {
				r, items := s.widgetMetric(fmt.Sprintf("%s widget %q metric %d", id, w.Properties.Title, j), entry, prev)
				if items != nil {
					refs, prev = append(refs, r), items
				}
			}
		}
	}
	return refs
}

func (s *stack) refuseSearch(where string, expr any) {
	if strings.Contains(strings.ToUpper(fmt.Sprint(expr)), "SEARCH") {
		s.errorf("%s: SEARCH expressions are not checked: name each metric", where)
	}
}

// widget is a dashboard widget, as much of it as the checks read.
type widget struct {
	Properties struct {
		Title   string
		Metrics []any
		Alarms  []string
	}
}

// widgets parses a dashboard's !Sub body: its placeholders sit inside JSON
// strings, so the text parses as it is.
func (s *stack) widgets(id string) []widget {
	var doc struct{ Widgets []widget }
	if err := json.Unmarshal([]byte(fmt.Sprint(at(s.tpl, "Resources."+id+".Properties.DashboardBody.Fn::Sub"))), &doc); err != nil {
		s.errorf("%s.DashboardBody is not !Sub of JSON: %v", id, err)
	}
	return doc.Widgets
}

// widgetMetric reads one entry of a widget's metrics array: [namespace,
// name, dimension, value, ..., {options}], where "." repeats the item at
// the same place in the entry before. It returns no items for a math
// expression or an entry it cannot read.
func (s *stack) widgetMetric(where string, entry any, prev []string) (metricRef, []string) {
	r := metricRef{where: where, onDashboard: true, dims: map[string]string{}}
	items, _ := entry.([]any)
	if n := len(items); n > 0 {
		if opts, ok := items[n-1].(map[string]any); ok {
			if items = items[:n-1]; opts["expression"] != nil && n == 1 {
				s.refuseSearch(where, opts["expression"])
				return r, nil
			}
		}
	}
	resolved := make([]string, len(items))
	for k, it := range items {
		switch str, _ := it.(string); {
		case str == "..." || str == "" || (str == "." && k >= len(prev)):
			s.errorf(`%s: item %d is %v: write each item, or "." for the one above`, where, k, it)
			return r, nil
		case str == ".":
			resolved[k] = prev[k]
		default:
			resolved[k] = str
		}
	}
	if len(resolved) < 2 || len(resolved)%2 != 0 {
		s.errorf("%s: %v is not namespace, name and dimension pairs", where, resolved)
		return r, nil
	}
	r.namespace, r.name = resolved[0], resolved[1]
	for k := 2; k < len(resolved); k += 2 {
		r.dims[resolved[k]] = resolved[k+1]
	}
	return r, resolved
}

func checkMetricsEmitted(s *stack) {
	for _, r := range s.metricRefs() {
		if p := s.metricProblem(r); p != "" {
			s.errorf("%s: %s", r.where, p)
		}
	}
	for _, id := range s.functions() {
		if ns := tokens(s.env(id)["METRICS_NAMESPACE"]); !slices.Equal(ns, []string{nsToken}) {
			s.errorf("%s emits under %v, want %s", id, ns, nsToken)
		}
	}
}

// metricProblem says what is wrong with a metric: not one the functions
// emit, under the namespace and dimensions they use; or not an AWS metric
// of a resource of this stack. It returns "" when nothing is.
func (s *stack) metricProblem(r metricRef) string {
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
	case at(s.tpl, "Resources."+logicalID(r.dims[ns.dim])+".Type") != ns.resourceType || !strings.HasPrefix(r.dims[ns.dim], "${"):
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
	if slices.Sort(want); !slices.Equal(slices.Sorted(maps.Keys(r.dims)), want) {
		return fmt.Sprintf("%s: dimensions %v, want %v", r.name, slices.Sorted(maps.Keys(r.dims)), want)
	}
	if fn := "${" + emitters[m.Function] + "}"; r.dims[metrics.DimFunction] != fn {
		return fmt.Sprintf("%s: function = %s, want %s, the function that emits it", r.name, r.dims[metrics.DimFunction], fn)
	}
	return ""
}

// checkDashboardComplete: the dashboard shows every metric of the catalog
// (by each errorType, where it has them) and every alarm; every alarm
// notifies AlarmTopicArn.
func checkDashboardComplete(s *stack) {
	shown := map[string]bool{}
	for _, r := range s.metricRefs() {
		shown[r.key()] = shown[r.key()] || r.onDashboard
	}
	for _, m := range metrics.Catalog {
		r := metricRef{namespace: nsToken, name: m.Name, dims: map[string]string{metrics.DimFunction: "${" + emitters[m.Function] + "}"}}
		want := []string{r.key()}
		for _, et := range errorTypes {
			if m.ByErrorType {
				r.dims[metrics.DimErrorType] = et
				want = append(want, r.key())
			}
		}
		for _, w := range want {
			if !shown[w] {
				s.errorf("the dashboard does not show %s", w)
			}
		}
	}
	alarms := s.resources("AWS::CloudWatch::Alarm")
	for _, id := range s.resources("AWS::CloudWatch::Dashboard") {
		var listed []string
		for _, w := range s.widgets(id) {
			for _, a := range w.Properties.Alarms {
				listed = append(listed, logicalID(a))
			}
		}
		if slices.Sort(listed); !slices.Equal(listed, alarms) {
			s.errorf("%s's alarm widgets show %v, want every alarm, %v", id, listed, alarms)
		}
	}
	for _, id := range alarms {
		if a := tokens(at(s.tpl, "Resources."+id+".Properties.AlarmActions")); !slices.Equal(a, []string{"${AlarmTopicArn}"}) {
			s.errorf("%s notifies %v, want AlarmTopicArn", id, a)
		}
	}
}

// checkNamespacePattern: CloudFormation accepts exactly the namespaces
// metrics.NewEmitter does, on every string of up to five characters of an
// alphabet that exercises the AWS/ rule, and at the length limits.
func checkNamespacePattern(s *stack) {
	p := mapAt(s.tpl, "Parameters.MetricsNamespace")
	re, err := regexp.Compile(fmt.Sprint(p["AllowedPattern"]))
	if err != nil {
		s.errorf("MetricsNamespace AllowedPattern: %v", err)
		return
	}
	var wrong []string
	check := func(ns string) {
		cfn := len(ns) >= number(p["MinLength"]) && len(ns) <= number(p["MaxLength"]) && re.MatchString(ns)
		if _, err := metrics.NewEmitter(ns, "f"); cfn != (err == nil) {
			wrong = append(wrong, fmt.Sprintf("%q (template %v, NewEmitter %v)", ns, cfn, err))
		}
	}
	level := []string{""}
	for range 5 {
		var next []string
		for _, ns := range level {
			check(ns)
			for _, c := range []string{"A", "W", "S", "/", "a", " ", "$", "é"} {
				next = append(next, ns+c)
			}
		}
		level = next
	}
	for _, ns := range slices.Concat(level, []string{metrics.DefaultNamespace, "AWS/Lambda", "My App/Recordings.v2#1:x-y_z", strings.Repeat("a", 255), strings.Repeat("a", 256)}) {
		check(ns)
	}
	if len(wrong) > 0 {
		s.errorf("MetricsNamespace and NewEmitter disagree on %d namespaces, e.g. %s", len(wrong), wrong[0])
	}
}
