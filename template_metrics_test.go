package template_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/metrics"
)

// TestTemplateMetrics checks the dashboard and the alarms against what the
// functions emit: every metric in the MetricsNamespace is in
// metrics.Catalog, with the dimensions the emitter writes and the function
// that emits it; every other one is an SQS or Lambda metric of this stack.
// The dashboard shows every metric of the catalog and every alarm.
func TestTemplateMetrics(t *testing.T) {
	tpl := loadTemplate(t)
	refs, problems := templateMetrics(t, tpl)
	for _, p := range problems {
		t.Error(p)
	}

	t.Run("each function publishes under its catalog name", func(t *testing.T) {
		if d := get(t, tpl, "Parameters", "MetricsNamespace", "Default"); d != metrics.DefaultNamespace {
			t.Errorf("MetricsNamespace Default %v, want %s", d, metrics.DefaultNamespace)
		}
		for fn, id := range emitters {
			props := functionProps(t, tpl, id)
			// The function dimension is the deployed name, and EMF lines
			// are JSON log lines.
			for path, want := range map[string]any{
				"FunctionName": map[string]any{"Fn::Sub": "${AWS::StackName}-" + fn},
				"Environment.Variables.METRICS_NAMESPACE": ref("MetricsNamespace"),
				"LoggingConfig.LogFormat":                 "JSON",
			} {
				if got, _ := at(props, strings.Split(path, ".")...); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s %s = %v, want %v", id, path, got, want)
				}
			}
		}
	})

	t.Run("the dashboard shows every metric and every alarm", func(t *testing.T) {
		shown := map[string]bool{}
		for _, r := range refs {
			shown[refKey(r.namespace, r.name, r.dims)] = shown[refKey(r.namespace, r.name, r.dims)] || r.alarm == ""
		}
		for _, m := range metrics.Catalog {
			want := []string{refKey(nsToken, m.Name, map[string]string{metrics.DimFunction: "${" + emitters[m.Function] + "}"})}
			for _, et := range errorTypes {
				if m.ByErrorType {
					want = append(want, refKey(nsToken, m.Name, map[string]string{metrics.DimFunction: "${" + emitters[m.Function] + "}", metrics.DimErrorType: et}))
				}
			}
			for _, w := range want {
				if !shown[w] {
					t.Errorf("the dashboard does not show %s", w)
				}
			}
		}
		alarms := resourcesOfType(t, tpl, "AWS::CloudWatch::Alarm")
		for _, id := range resourcesOfType(t, tpl, "AWS::CloudWatch::Dashboard") {
			var listed []string
			for _, w := range dashboardWidgets(t, tpl, id) {
				for _, a := range w.Properties.Alarms {
					listed = append(listed, logicalID(a))
				}
			}
			if slices.Sort(listed); !slices.Equal(listed, alarms) {
				t.Errorf("%s's alarm widgets show %v, want every alarm, %v", id, listed, alarms)
			}
		}
	})

	t.Run("every alarm notifies AlarmTopicArn", func(t *testing.T) {
		for _, id := range resourcesOfType(t, tpl, "AWS::CloudWatch::Alarm") {
			if a := tokens(get(t, tpl, "Resources", id, "Properties", "AlarmActions")); !slices.Equal(a, []string{"${AlarmTopicArn}"}) {
				t.Errorf("%s notifies %v, want AlarmTopicArn", id, a)
			}
		}
	})
}

// refKey names a metric: namespace, name and sorted dimensions.
func refKey(namespace, name string, dims map[string]string) string {
	key := namespace + " " + name
	for _, k := range slices.Sorted(maps.Keys(dims)) {
		key += " " + k + "=" + dims[k]
	}
	return key
}
