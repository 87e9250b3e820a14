package template_test

import (
	"slices"
	"testing"
)

// TestRecordingQueueAdmitsOnlyTheStack: the recording queue's policy denies
// sqs:SendMessage to every principal but the roles of the functions granted
// it on the queue, and the EventBridge rules that target the queue (none
// today: the CallEnd rule invokes the copy function); it allows nothing.
func TestRecordingQueueAdmitsOnlyTheStack(t *testing.T) {
	tpl := loadTemplate(t)
	var senders, rules []string
	for id, grants := range leastPrivilege {
		if slices.Contains(grants["sqs:SendMessage"], "${RecordingQueue.Arn}") {
			senders = append(senders, "${"+id+"Role.Arn}")
		}
	}
	for _, id := range resourcesOfType(t, tpl, "AWS::Events::Rule") {
		targets, _ := at(tpl, "Resources", id, "Properties", "Targets")
		list, _ := targets.([]any)
		for _, target := range list {
			arn, _ := at(target, "Arn")
			if slices.Contains(tokens(arn), "${RecordingQueue.Arn}") {
				rules = append(rules, "${"+id+".Arn}")
			}
		}
	}
	if len(senders) < 2 {
		t.Fatalf("want the webhook and the reconciler among the queue's senders, have %v", senders)
	}
	var denies int
	for _, id := range resourcesOfType(t, tpl, "AWS::SQS::QueuePolicy") {
		props := getMap(t, tpl, "Resources", id, "Properties")
		if !slices.Contains(tokens(props["Queues"]), "${RecordingQueue}") {
			continue
		}
		for _, s := range policyStatements(t, props["PolicyDocument"]) {
			if s["Effect"] != "Deny" {
				t.Errorf("%s statement %v: want only Deny statements on the recording queue", id, s["Sid"])
				continue
			}
			if s["Principal"] != "*" || !slices.Contains(tokens(s["Action"]), "sqs:SendMessage") ||
				!slices.Equal(tokens(s["Resource"]), []string{"${RecordingQueue.Arn}"}) {
				t.Errorf("%s statement %v: want Principal *, sqs:SendMessage on the recording queue", id, s["Sid"])
				continue
			}
			checkExcepted(t, s, senders, rules)
			denies++
		}
	}
	if denies != 1 {
		t.Errorf("%d statements deny SendMessage on the recording queue, want 1", denies)
	}
}

// checkExcepted: the statement's conditions except exactly the sending
// roles (aws:PrincipalArn) and rules (aws:SourceArn), nothing else.
func checkExcepted(t *testing.T, s map[string]any, senders, rules []string) {
	t.Helper()
	cond := getMap(t, s, "Condition")
	notEquals, _ := cond["ArnNotEquals"].(map[string]any)
	if len(cond) != 1 || notEquals == nil {
		t.Errorf("statement %v: conditions %v, want ArnNotEquals only", s["Sid"], cond)
		return
	}
	want := map[string][]string{"aws:PrincipalArn": senders}
	if len(rules) > 0 {
		want["aws:SourceArn"] = rules
	}
	if len(notEquals) != len(want) {
		t.Errorf("statement %v: excepts %v, want %v", s["Sid"], notEquals, want)
	}
	for key, w := range want {
		got := tokens(notEquals[key])
		slices.Sort(got)
		if w = slices.Sorted(slices.Values(w)); !slices.Equal(got, w) {
			t.Errorf("statement %v: %s excepts %v, want %v", s["Sid"], key, got, w)
		}
	}
}
