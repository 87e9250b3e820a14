package template_test

import (
	"slices"
	"testing"
)

// TestCopyFunctionDeadLetters checks that the copy function is told the
// recording queue's dead-letter queue and may send to it, and to no other
// queue: records that can never succeed go there at once.
func TestCopyFunctionDeadLetters(t *testing.T) {
	tpl := loadTemplate(t)
	props := getMap(t, tpl, "Resources", functionID, "Properties")
	v := get(t, props, "Environment", "Variables", "DEAD_LETTER_QUEUE_URL")
	wantEqual(t, v, ref("RecordingDeadLetterQueue"), "DEAD_LETTER_QUEUE_URL")
	// It is the queue the recording queue's redrive policy names.
	target := getAttTarget(t, get(t, tpl, "Resources", "RecordingQueue", "Properties", "RedrivePolicy", "deadLetterTargetArn"), "Arn")
	wantEqual(t, target, "RecordingDeadLetterQueue", "RecordingQueue's dead-letter target")

	var grants []map[string]any
	for _, p := range getList(t, props, "Policies") {
		pm, ok := p.(map[string]any)
		if !ok || pm["Statement"] == nil {
			continue // the conditional KMS policy
		}
		for _, s := range getList(t, pm, "Statement") {
			st, _ := s.(map[string]any)
			if st["Effect"] == "Allow" && slices.ContainsFunc(stringList(st["Action"]), func(a string) bool { return a == "sqs:SendMessage" || a == "sqs:*" }) {
				grants = append(grants, st)
			}
		}
	}
	if len(grants) != 1 {
		t.Fatalf("%d statements grant sqs:SendMessage to the copy function, want 1", len(grants))
	}
	wantEqual(t, stringList(grants[0]["Action"]), []string{"sqs:SendMessage"}, "actions")
	if getAttTarget(t, grants[0]["Resource"], "Arn") != "RecordingDeadLetterQueue" {
		t.Errorf("sqs:SendMessage granted on %v, want only the recording dead-letter queue", grants[0]["Resource"])
	}
}
