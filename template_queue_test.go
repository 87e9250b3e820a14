package template_test

import (
	"fmt"
	"slices"

	"github.com/recording-sync/recording-sync/pkg/copyhandler"
)

// checkQueues: a visibility timeout of six times the consumer's, as AWS
// advises, never hands a message out twice at once; dead letters are seen.
func checkQueues(s *stack) {
	watched := map[string]bool{}
	for _, id := range s.resources("AWS::CloudWatch::Alarm") {
		if props := mapAt(s.tpl, "Resources."+id+".Properties"); props["Namespace"] == "AWS/SQS" && props["MetricName"] == "ApproximateNumberOfMessagesVisible" {
			watched[logicalID(token(at(props, "Dimensions.0.Value")))] = true
		}
	}
	redrive := token(at(s.tpl, "Resources.RecordingQueue.Properties.RedrivePolicy.deadLetterTargetArn"))
	deadLetters := []string{redrive}
	for _, id := range s.functions() {
		fn, timeout := s.function(id), 3 // Lambda's default
		if fn["Timeout"] != nil {
			timeout = number(fn["Timeout"])
		}
		deadLetters = append(deadLetters, tokens(at(fn, "EventInvokeConfig.DestinationConfig.OnFailure.Destination"))...)
		for _, ev := range mapAt(fn, "Events") {
			deadLetters = append(deadLetters, tokens(at(ev, "Properties.DeadLetterConfig.Arn"))...)
			q := logicalID(token(at(ev, "Properties.Queue")))
			vis := number(at(s.tpl, "Resources."+q+".Properties.VisibilityTimeout"))
			s.expect(at(ev, "Type") != "SQS" || vis >= 6*timeout, "%s VisibilityTimeout %d s, want at least 6 x %s's Timeout (%d s)", q, vis, id, timeout)
		}
	}
	for _, arn := range deadLetters {
		s.expect(watched[logicalID(arn)], "%s receives dead letters, and no alarm watches it", arn)
	}
	dlq := token(s.env(functionID)["DEAD_LETTER_QUEUE_URL"])
	s.expect(logicalID(dlq) == logicalID(redrive), "DEAD_LETTER_QUEUE_URL %v, want %s, the recording queue's dead-letter queue", dlq, redrive)
	// Records are handed back to the queue they came from, and handing back
	// leaves failures receives enough before the dead-letter queue.
	consumed := logicalID(token(at(s.function(functionID), "Events.Queue.Properties.Queue")))
	back := token(s.env(functionID)["RECORDINGS_QUEUE_URL"])
	s.expect(logicalID(back) == consumed, "RECORDINGS_QUEUE_URL %v, want %s, the queue the function consumes", back, consumed)
	receives := number(at(s.tpl, "Resources."+consumed+".Properties.RedrivePolicy.maxReceiveCount"))
	s.expect(receives >= copyhandler.HandBackReceives+3, "%s maxReceiveCount %d, want at least %d: %d receives may end handed back, 3 are left to failures",
		consumed, receives, copyhandler.HandBackReceives+3, copyhandler.HandBackReceives)
}

// checkNothingReserved: reserved concurrency fails the deploy on new
// accounts, so with every parameter at its default no function reserves any.
func checkNothingReserved(s *stack) {
	for _, id := range s.functions() {
		rce, ok := s.function(id)["ReservedConcurrentExecutions"]
		s.expect(!ok || s.evalDefault(map[string]any{"Condition": at(rce, "Fn::If.0")}) == "false", "%s reserves concurrency %v with the parameters' defaults", id, rce)
	}
}

// evalDefault evaluates a condition with every parameter at its default:
// "true", "false", or the value it cannot evaluate.
func (s *stack) evalDefault(v any) string {
	m, _ := v.(map[string]any)
	switch args, not := asList(m["Fn::Equals"]), asList(m["Fn::Not"]); {
	case len(args) == 2:
		return fmt.Sprint(s.evalDefault(args[0]) == s.evalDefault(args[1]))
	case len(not) == 1:
		return fmt.Sprint(s.evalDefault(not[0]) == "false")
	case m["Condition"] != nil:
		return s.evalDefault(at(s.tpl, fmt.Sprint("Conditions.", m["Condition"])))
	case m["Ref"] != nil:
		return fmt.Sprint(at(s.tpl, fmt.Sprint("Parameters.", m["Ref"], ".Default")))
	}
	return fmt.Sprint(v)
}

// checkLogRetention: the logs name recordings, whose file names carry
// phone numbers.
func checkLogRetention(s *stack) {
	var groups []string
	for _, id := range s.functions() {
		group := logicalID(token(at(s.function(id), "LoggingConfig.LogGroup")))
		groups = append(groups, group)
		s.expect(token(at(s.tpl, "Resources."+group+".Properties.RetentionInDays")) == "${LogRetentionDays}", "%s logs into %q, want a log group kept LogRetentionDays", id, group)
	}
	s.expect(len(slices.Compact(slices.Sorted(slices.Values(groups)))) == len(groups), "functions share log groups: %v", groups)
}
