package template_test

import (
	"fmt"
	"slices"
)

// checkQueueOutlastsConsumer: a queue's visibility timeout is at least six
// times the timeout of the function it feeds, as AWS advises for SQS event
// sources, so that a message is never handed out twice at once.
func checkQueueOutlastsConsumer(s *stack) {
	var sources int
	for _, id := range s.functions() {
		timeout := 3 // Lambda's default
		if t, ok := s.function(id)["Timeout"]; ok {
			timeout = number(t)
		}
		for _, ev := range mapAt(s.function(id), "Events") {
			if at(ev, "Type") != "SQS" {
				continue
			}
			sources++
			q := logicalID(token(at(ev, "Properties.Queue")))
			if vis := number(at(s.tpl, "Resources."+q+".Properties.VisibilityTimeout")); vis < 6*timeout {
				s.errorf("%s VisibilityTimeout %d s, want at least 6 x %s's Timeout (%d s) = %d s", q, vis, id, timeout, 6*timeout)
			}
		}
	}
	if sources == 0 {
		s.errorf("no function reads a queue")
	}
}

// checkDeadLetters: every queue a message or event is dead-lettered to has
// an alarm on its depth, and the copy function sends hopeless records to
// the queue its own queue's redrive policy names.
func checkDeadLetters(s *stack) {
	watched := map[string]bool{}
	for _, id := range s.resources("AWS::CloudWatch::Alarm") {
		props := mapAt(s.tpl, "Resources."+id+".Properties")
		if props["Namespace"] == "AWS/SQS" && props["MetricName"] == "ApproximateNumberOfMessagesVisible" {
			watched[logicalID(token(at(props, "Dimensions.0.Value")))] = true
		}
	}
	redrive := tokens(at(s.tpl, "Resources.RecordingQueue.Properties.RedrivePolicy.deadLetterTargetArn"))
	targets := map[string][]string{"RecordingQueue redrive": redrive}
	for _, id := range s.functions() {
		targets[id+" on failure"] = tokens(at(s.function(id), "EventInvokeConfig.DestinationConfig.OnFailure.Destination"))
		for name, ev := range mapAt(s.function(id), "Events") {
			targets[id+" event "+name] = tokens(at(ev, "Properties.DeadLetterConfig.Arn"))
		}
	}
	for what, arns := range targets {
		for _, arn := range arns {
			if !watched[logicalID(arn)] {
				s.errorf("%s dead-letters to %s, which no alarm watches", what, arn)
			}
		}
	}
	if dlq := tokens(s.env(functionID)["DEAD_LETTER_QUEUE_URL"]); len(redrive) != 1 || len(dlq) != 1 || logicalID(dlq[0]) != logicalID(redrive[0]) {
		s.errorf("DEAD_LETTER_QUEUE_URL %v, want %s, the recording queue's dead-letter queue", dlq, redrive)
	}
}

// checkNothingReserved: reserved concurrency fails the deploy on new
// accounts, so with every parameter at its default no function reserves any.
func checkNothingReserved(s *stack) {
	for _, id := range s.functions() {
		if rce, ok := s.function(id)["ReservedConcurrentExecutions"]; ok {
			if cond, ok := at(rce, "Fn::If.0").(string); !ok || s.evalDefault(map[string]any{"Condition": cond}) == true {
				s.errorf("%s reserves concurrency %v with the parameters' defaults", id, rce)
			}
		}
	}
}

// evalDefault evaluates a condition with every parameter at its default.
func (s *stack) evalDefault(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Sprint(v)
	}
	args, _ := m["Fn::Equals"].([]any)
	not, _ := m["Fn::Not"].([]any)
	switch {
	case len(args) == 2:
		return s.evalDefault(args[0]) == s.evalDefault(args[1])
	case len(not) == 1:
		return s.evalDefault(not[0]) != true
	case m["Condition"] != nil:
		return s.evalDefault(at(s.tpl, "Conditions."+fmt.Sprint(m["Condition"])))
	case m["Ref"] != nil:
		return fmt.Sprint(at(s.tpl, "Parameters."+fmt.Sprint(m["Ref"])+".Default"))
	}
	s.errorf("condition %v: only Equals, Not and Ref are evaluated", v)
	return nil
}

// checkLogRetention: the logs name recordings, whose file names carry
// phone numbers: every function logs into its own group, which keeps them
// LogRetentionDays.
func checkLogRetention(s *stack) {
	var groups []string
	for _, id := range s.functions() {
		group := logicalID(token(at(s.function(id), "LoggingConfig.LogGroup")))
		groups = append(groups, group)
		if r := tokens(at(s.tpl, "Resources."+group+".Properties.RetentionInDays")); !slices.Equal(r, []string{"${LogRetentionDays}"}) {
			s.errorf("%s logs into %s, kept %v, want a log group of its own kept LogRetentionDays", id, group, r)
		}
	}
	if len(slices.Compact(slices.Sorted(slices.Values(groups)))) != len(groups) {
		s.errorf("functions share log groups: %v", groups)
	}
}
