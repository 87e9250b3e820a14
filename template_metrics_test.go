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
func TestTemplateMetrics(t *testing.T) {
	tpl := loadTemplate(t)
	refs, problems := templateMetrics(t, tpl)
	for _, p := range problems {
		t.Error(p)
	}
	var onDashboard, inAlarms []metricRef
	for _, r := range refs {
		if r.alarm == "" {
			onDashboard = append(onDashboard, r)
		} else {
			inAlarms = append(inAlarms, r)
		}
	}

	t.Run("functions publish into the parameter's namespace", func(t *testing.T) {
		wantEqual(t, get(t, tpl, "Parameters", "MetricsNamespace", "Default"), metrics.DefaultNamespace, "MetricsNamespace Default")
		for fn, id := range emitters {
			props := getMap(t, tpl, "Resources", id, "Properties")
			wantEqual(t, get(t, props, "Environment", "Variables", "METRICS_NAMESPACE"), ref("MetricsNamespace"), id+" METRICS_NAMESPACE")
			// EMF lines are JSON log lines.
			wantEqual(t, get(t, props, "LoggingConfig", "LogFormat"), "JSON", id+" LogFormat")
			// The function dimension is the deployed name: the catalog's
			// function must be the one deployed under this logical ID.
			wantEqual(t, get(t, props, "FunctionName"), map[string]any{"Fn::Sub": "${AWS::StackName}-" + fn}, id+" FunctionName")
		}
	})

	t.Run("dashboard", func(t *testing.T) {
		ids := resourcesOfType(t, tpl, "AWS::CloudWatch::Dashboard")
		if len(ids) != 1 {
			t.Fatalf("dashboards %v, want 1", ids)
		}
		wantEqual(t, get(t, tpl, "Resources", ids[0], "Properties", "DashboardName"), map[string]any{"Fn::Sub": "${AWS::StackName}-recordings"}, "DashboardName")
		shown := map[string]bool{}
		for _, r := range onDashboard {
			shown[refKey(r.namespace, r.name, r.dims)] = true
			shown[refKey(r.namespace, r.name, r.dims)+" "+r.stat] = true
		}
		for _, want := range wantOnDashboard() {
			if !shown[want] {
				t.Errorf("the dashboard does not show %s", want)
			}
		}
		// Its alarm widget shows every alarm (templateMetrics checks that
		// it shows only alarms of this stack).
		body, _ := get(t, tpl, "Resources", ids[0], "Properties", "DashboardBody", "Fn::Sub").(string)
		for _, id := range resourcesOfType(t, tpl, "AWS::CloudWatch::Alarm") {
			if !strings.Contains(body, `"${`+id+`.Arn}"`) {
				t.Errorf("the dashboard's alarm widget lacks %s", id)
			}
		}
	})

	t.Run("alarms", func(t *testing.T) {
		alarms := resourcesOfType(t, tpl, "AWS::CloudWatch::Alarm")
		for _, id := range alarms {
			wantEqual(t, get(t, tpl, "Resources", id, "Properties", "AlarmActions"), map[string]any{
				"Fn::If": []any{"HasAlarmTopic", []any{ref("AlarmTopicArn")}, ref("AWS::NoValue")},
			}, id+".AlarmActions")
		}
		copyFn := map[string]string{metrics.DimFunction: "${" + functionID + "}"}
		reconcileFn := map[string]string{metrics.DimFunction: "${" + reconcileID + "}"}
		webhookFn := map[string]string{metrics.DimFunction: "${" + webhookID + "}"}
		for _, c := range []struct {
			what      string
			namespace string
			name      string
			dims      map[string]string
			threshold any
			op        string
		}{
			{"a PermanentError: a configuration problem, one is enough", nsToken, metrics.RecordingsFailed.Name,
				map[string]string{metrics.DimFunction: "${" + functionID + "}", metrics.DimErrorType: "PermanentError"}, 1, "GreaterThanOrEqualToThreshold"},
			{"the recording queue's oldest message", "AWS/SQS", "ApproximateAgeOfOldestMessage",
				map[string]string{"QueueName": "${RecordingQueue.QueueName}"}, ref("OldestMessageAlarmSeconds"), "GreaterThanThreshold"},
			{"lost recordings", nsToken, metrics.ReconcileRecordingsLost.Name, reconcileFn, 0, "GreaterThanThreshold"},
			{"the queue refusing the webhook for good: one is enough", nsToken, metrics.WebhookQueueFailedPermanent.Name, webhookFn, 1, "GreaterThanOrEqualToThreshold"},
			{"failed reconcile runs (metric math)", nsToken, metrics.ReconcileRunsFailed.Name, reconcileFn, 0, "GreaterThanThreshold"},
			{"failed reconcile invocations (metric math)", "AWS/Lambda", "Errors",
				map[string]string{"FunctionName": "${" + reconcileID + "}"}, 0, "GreaterThanThreshold"},
			{"copy function errors", "AWS/Lambda", "Errors", map[string]string{"FunctionName": copyFn[metrics.DimFunction]}, 0, "GreaterThanThreshold"},
			{"copy function throttles", "AWS/Lambda", "Throttles", map[string]string{"FunctionName": copyFn[metrics.DimFunction]}, 0, "GreaterThanThreshold"},
			{"the recording dead-letter queue", "AWS/SQS", "ApproximateNumberOfMessagesVisible",
				map[string]string{"QueueName": "${RecordingDeadLetterQueue.QueueName}"}, 0, "GreaterThanThreshold"},
			{"the events dead-letter queue", "AWS/SQS", "ApproximateNumberOfMessagesVisible",
				map[string]string{"QueueName": "${EventsDeadLetterQueue.QueueName}"}, 0, "GreaterThanThreshold"},
		} {
			t.Run(c.what, func(t *testing.T) {
				key := refKey(c.namespace, c.name, c.dims)
				i := slices.IndexFunc(inAlarms, func(r metricRef) bool { return refKey(r.namespace, r.name, r.dims) == key })
				if i < 0 {
					t.Fatalf("no alarm watches %s", key)
				}
				props := getMap(t, tpl, "Resources", inAlarms[i].alarm, "Properties")
				wantEqual(t, props["Threshold"], c.threshold, inAlarms[i].alarm+".Threshold")
				wantEqual(t, props["ComparisonOperator"], c.op, inAlarms[i].alarm+".ComparisonOperator")
			})
		}
		if d := getInt(t, tpl, "Parameters", "OldestMessageAlarmSeconds", "Default"); d != 3600 {
			t.Errorf("OldestMessageAlarmSeconds Default = %d, want 3600", d)
		}
		if n := len(inAlarms); n < len(alarms) {
			t.Errorf("%d metrics read from %d alarms", n, len(alarms))
		}
	})

	t.Run("no log metric filter", func(t *testing.T) {
		// The functions' EMF lines are the metrics: a filter would publish
		// a second, unchecked copy.
		if f := resourcesOfType(t, tpl, "AWS::Logs::MetricFilter"); len(f) > 0 {
			t.Errorf("metric filters %v remain", f)
		}
	})
}

// refKey names a metric: namespace, name and sorted dimensions.
func refKey(namespace, name string, dims map[string]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", namespace, name)
	for _, k := range slices.Sorted(maps.Keys(dims)) {
		fmt.Fprintf(&b, " %s=%s", k, dims[k])
	}
	return b.String()
}

// wantOnDashboard lists what the dashboard must show, as refKey names it
// (followed by a statistic where one matters): every metric of the catalog
// under its function, the failures by errorType, the percentiles of the
// latencies, the queues and the copy function's errors and throttles.
func wantOnDashboard() []string {
	var want []string
	for _, m := range metrics.Catalog {
		want = append(want, refKey(nsToken, m.Name, map[string]string{metrics.DimFunction: "${" + emitters[m.Function] + "}"}))
	}
	for _, et := range errorTypes {
		want = append(want, refKey(nsToken, metrics.RecordingsFailed.Name, map[string]string{
			metrics.DimFunction: "${" + functionID + "}", metrics.DimErrorType: et,
		}))
	}
	for _, m := range []metrics.Metric{metrics.CopyDuration, metrics.CallEndToStored} {
		for _, stat := range []string{"p50", "p99"} {
			want = append(want, refKey(nsToken, m.Name, map[string]string{metrics.DimFunction: "${" + functionID + "}"})+" "+stat)
		}
	}
	queue := func(q string) map[string]string { return map[string]string{"QueueName": "${" + q + ".QueueName}"} }
	return append(want,
		refKey("AWS/SQS", "ApproximateNumberOfMessagesVisible", queue("RecordingQueue")),
		refKey("AWS/SQS", "ApproximateAgeOfOldestMessage", queue("RecordingQueue")),
		refKey("AWS/SQS", "ApproximateNumberOfMessagesVisible", queue("RecordingDeadLetterQueue")),
		refKey("AWS/SQS", "ApproximateNumberOfMessagesVisible", queue("EventsDeadLetterQueue")),
		refKey("AWS/Lambda", "Errors", map[string]string{"FunctionName": "${" + functionID + "}"}),
		refKey("AWS/Lambda", "Throttles", map[string]string{"FunctionName": "${" + functionID + "}"}),
	)
}
