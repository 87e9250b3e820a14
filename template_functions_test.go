package template_test

import (
	"fmt"
	"testing"
)

// TestQueueOutlastsItsConsumer: a queue's visibility timeout is at least six
// times the timeout of the function it feeds, as AWS advises for SQS event
// sources, so that a message is never handed out twice at once.
func TestQueueOutlastsItsConsumer(t *testing.T) {
	tpl := loadTemplate(t)
	for _, id := range resourcesOfType(t, tpl, "AWS::Serverless::Function") {
		props := functionProps(t, tpl, id)
		timeout := 3 // Lambda's default
		if _, ok := props["Timeout"]; ok {
			timeout = getInt(t, props, "Timeout")
		}
		events, _ := props["Events"].(map[string]any)
		for _, ev := range events {
			if typ, _ := at(ev, "Type"); typ != "SQS" {
				continue
			}
			q := logicalID(tokens(get(t, ev, "Properties", "Queue"))[0])
			if vis := getInt(t, tpl, "Resources", q, "Properties", "VisibilityTimeout"); vis < 6*timeout {
				t.Errorf("%s VisibilityTimeout %d s, want at least 6 x %s's Timeout (%d s) = %d s", q, vis, id, timeout, 6*timeout)
			}
		}
	}
}

// TestDeadLettersAreWatched: every queue a message or event is dead-lettered
// to has an alarm on its depth, and the copy function sends hopeless records
// to the queue its own queue's redrive policy names.
func TestDeadLettersAreWatched(t *testing.T) {
	tpl := loadTemplate(t)
	watched := map[string]bool{}
	for _, id := range resourcesOfType(t, tpl, "AWS::CloudWatch::Alarm") {
		props := getMap(t, tpl, "Resources", id, "Properties")
		q, _ := at(props, "Dimensions", "0", "Value")
		if props["Namespace"] == "AWS/SQS" && props["MetricName"] == "ApproximateNumberOfMessagesVisible" {
			watched[tokens(q)[0]] = true
		}
	}
	redrive := tokens(get(t, tpl, "Resources", "RecordingQueue", "Properties", "RedrivePolicy", "deadLetterTargetArn"))
	targets := map[string][]string{"RecordingQueue redrive": redrive}
	for _, id := range resourcesOfType(t, tpl, "AWS::Serverless::Function") {
		props := functionProps(t, tpl, id)
		if d, err := at(props, "EventInvokeConfig", "DestinationConfig", "OnFailure", "Destination"); err == nil {
			targets[id+" on failure"] = tokens(d)
		}
		events, _ := props["Events"].(map[string]any)
		for name, ev := range events {
			if d, err := at(ev, "Properties", "DeadLetterConfig", "Arn"); err == nil {
				targets[id+" event "+name] = tokens(d)
			}
		}
	}
	for what, arns := range targets {
		for _, arn := range arns {
			if !watched["${"+logicalID(arn)+".QueueName}"] {
				t.Errorf("%s dead-letters to %s, which no alarm watches", what, arn)
			}
		}
	}
	dlq := tokens(get(t, functionProps(t, tpl, functionID), "Environment", "Variables", "DEAD_LETTER_QUEUE_URL"))
	if len(dlq) != 1 || logicalID(dlq[0]) != logicalID(redrive[0]) {
		t.Errorf("DEAD_LETTER_QUEUE_URL %v, want %s, the recording queue's dead-letter queue", dlq, redrive)
	}
}

// TestNothingReservedByDefault: reserved concurrency fails the deploy on new
// accounts, so with every parameter at its default no function reserves any.
func TestNothingReservedByDefault(t *testing.T) {
	tpl := loadTemplate(t)
	for _, id := range resourcesOfType(t, tpl, "AWS::Serverless::Function") {
		rce, ok := functionProps(t, tpl, id)["ReservedConcurrentExecutions"]
		if !ok {
			continue
		}
		branches, _ := at(rce, "Fn::If")
		cond, _ := at(branches, "0")
		if name, ok := cond.(string); !ok || evalDefault(t, tpl, map[string]any{"Condition": name}) == true {
			t.Errorf("%s reserves concurrency %v with the parameters' defaults", id, rce)
		}
	}
}

// evalDefault evaluates a condition expression with every parameter at its
// default.
func evalDefault(t *testing.T, tpl map[string]any, v any) any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Sprint(v)
	}
	args, _ := m["Fn::Equals"].([]any)
	not, _ := m["Fn::Not"].([]any)
	param, _ := m["Ref"].(string)
	cond, _ := m["Condition"].(string)
	switch {
	case len(args) == 2:
		return evalDefault(t, tpl, args[0]) == evalDefault(t, tpl, args[1])
	case len(not) == 1:
		return evalDefault(t, tpl, not[0]) != true
	case cond != "":
		return evalDefault(t, tpl, get(t, tpl, "Conditions", cond))
	case param != "":
		return fmt.Sprint(get(t, tpl, "Parameters", param, "Default"))
	}
	t.Fatalf("condition %v: only Equals, Not and Ref are evaluated", v)
	return nil
}

// TestFunctionsKeepLogsForTheirRetention: the logs name recordings, whose
// file names carry phone numbers: every function logs into its own group,
// which keeps them LogRetentionDays.
func TestFunctionsKeepLogsForTheirRetention(t *testing.T) {
	tpl := loadTemplate(t)
	for _, id := range resourcesOfType(t, tpl, "AWS::Serverless::Function") {
		group, _ := token(get(t, functionProps(t, tpl, id), "LoggingConfig", "LogGroup"))
		if r, _ := at(tpl, "Resources", logicalID(group), "Properties", "RetentionInDays"); fmt.Sprint(r) != fmt.Sprint(ref("LogRetentionDays")) {
			t.Errorf("%s logs into %s, kept %v, want a log group kept LogRetentionDays", id, group, r)
		}
	}
}
