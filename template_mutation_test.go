package template_test

import (
	"slices"
	"strings"
	"testing"
)

// mutations each break a copy of the template (of the README, when
// readme): the first old after after becomes new. The check must then
// report a problem that says want.
var mutations = []struct {
	check                 func(*stack)
	after, old, new, want string
	readme                bool
}{
	{checkLeastPrivilege, "Sid: QueueRecordings", "Resource: !GetAtt RecordingQueue.Arn", `Resource: "*"`, `sqs:SendMessage on ["*"]`, false},
	{checkLeastPrivilege, "Sid: WriteRecordingsUnderTheirPrefixOnly", "${BucketName}/${KeyPrefix}*", "${BucketName}/*", `"bucket/*"`, false},
	{checkLeastPrivilege, "Sid: EncryptWithTheBucketKey", `!Sub "s3.${AWS::Region}.amazonaws.com"`, `"s3.amazonaws.com"`, "want S3 in this region", false},
	{checkLeastPrivilege, "  PbxWebhookFunction:", "Policies:", "Policies:\n        - AmazonSQSFullAccess", "want Effect Allow", false},
	{checkLeastPrivilege, "", "BATCH_CONCURRENCY:", "PBX_CLIENT_SECRET: s3cr3t\n          BATCH_CONCURRENCY:", "environment has PBX_CLIENT_SECRET", false},
	{checkWebhookSecret, "", "PBX_CREDENTIALS_SECRET: !Ref PbxCredentialsSecretArn", "PBX_CREDENTIALS_SECRET: !Ref PbxWebhookSecretArn", "RecordingSyncFunction refers to PbxWebhookSecretArn", false},
	{checkWebhookSecret, "PBX_WEBHOOK_SECRET_ID", "RECONCILE_LOOKBACK: 26h", "RECONCILE_LOOKBACK: 48h", "want the reconciler's", false},
	{checkStateObjects, "OnlyTheFunctionsTouchTheirState", "- !GetAtt RecordingReconcileFunctionRole.Arn", "- !GetAtt PbxWebhookFunctionRole.Arn", "the bucket policy keeps", false},
	{checkStateObjects, "ReserveReconcileConcurrency, 1", `".recording-sync/${AWS::StackName}/pbx-token.json"`, `".recording-sync/pbx-token.json"`, "want exactly the ones it uses", false},
	{checkLeastPrivilege, "Sid: EachPbxsOwnStateObjects", `${AWS::StackName}/*/pbx-token.json"`, `${AWS::StackName}/*"`, `"bucket/.recording-sync/${AWS::StackName}/*"`, false},
	{checkStateObjects, "ReserveReconcileConcurrency, 1", "PBX_SECRET_PREFIX: !Ref PbxSecretPrefix", "PBX_SECRET_PREFIXES: !Ref PbxSecretPrefix", "want exactly the ones it uses", false},
	{checkQueueSenders, "OnlyTheStackQueuesRecordings", "Effect: Deny", "Effect: Allow", "the recording queue's policy keeps SendMessage to", false},
	{checkQueueSenders, "OnlyTheStackQueuesRecordings", "- !GetAtt PbxWebhookFunctionRole.Arn", "- !GetAtt RecordingSyncFunctionRole.Arn", "the recording queue's policy keeps SendMessage to", false},
	{checkQueues, "", "VisibilityTimeout: 1800", "VisibilityTimeout: 1500", "want at least 6 x", false},
	{checkQueues, "  DeadLetterAlarm:", "!GetAtt RecordingDeadLetterQueue.QueueName", "!GetAtt RecordingQueue.QueueName", "no alarm watches it", false},
	{checkQueues, "", "DEAD_LETTER_QUEUE_URL: !Ref RecordingDeadLetterQueue", "DEAD_LETTER_QUEUE_URL: !Ref EventsDeadLetterQueue", "the recording queue's dead-letter queue", false},
	{checkQueues, "", "RECORDINGS_QUEUE_URL: !Ref RecordingQueue\n      # EventBridge", "RECORDINGS_QUEUE_URL: !Ref RecordingDeadLetterQueue\n      # EventBridge", "the queue the function consumes", false},
	{checkQueues, "", "maxReceiveCount: 7", "maxReceiveCount: 6", "want at least 7", false},
	{checkNothingReserved, "  WebhookConcurrency:", "Default: 0", "Default: 5", "PbxWebhookFunction reserves concurrency", false},
	{checkLogRetention, "  PbxWebhookFunctionLogGroup:", "RetentionInDays: !Ref LogRetentionDays", "RetentionInDays: 3653", "want a log group kept LogRetentionDays", false},
	{checkLogRetention, "", "LogGroup: !Ref PbxWebhookFunctionLogGroup", "LogGroup: !Ref RecordingSyncFunctionLogGroup", "functions share log groups", false},
	{checkMetrics, "  ReconcileLostAlarm:", "MetricName: ReconcileRecordingsLost", "MetricName: ReconcileRecordingLost", "ReconcileRecordingLost", false},
	{checkMetrics, "", "Value: PermanentError", "Value: PermanentErr", "errorType=PermanentErr ", false},
	{checkMetrics, "  PermanentErrorAlarm:", "Namespace: !Ref MetricsNamespace", "Namespace: RecordingSync", "RecordingSync RecordingsFailed", false},
	{checkMetrics, "", `"WebhookEventsReceived", "function", "${PbxWebhookFunction}"`, `"WebhookEventsReceived", "function", "${RecordingSyncFunction}"`, "WebhookEventsReceived function=${RecordingSyncFunction}", false},
	{checkMetrics, "", `"BytesCopied", "function", "${RecordingSyncFunction}"`, `"BytesCopied", "function", "${RecordingSyncFunction}", "errorType", "PermanentError"`, "BytesCopied errorType=PermanentError", false},
	{checkMetrics, "", `"BytesCopied", "function", "${RecordingSyncFunction}"]`, `"BytesCopied"]`, "name ${MetricsNamespace} BytesCopied, which", false},
	{checkMetrics, "", `[".", "BusyWaits", ".", "."]`, `[".", "BusyWait", ".", "."]`, "BusyWait function", false},
	{checkMetrics, "", `["AWS/Lambda", "Errors"`, `["AWS/Lambda", "Error"`, "AWS/Lambda Error ", false},
	{checkMetrics, "", `"QueueName", "${RecordingQueue.QueueName}"`, `"QueueName", "other-queue"`, "QueueName=other-queue", false},
	{checkMetrics, "", `["AWS/Lambda", "Errors", "FunctionName", "${RecordingSyncFunction}"], [".", "Throttles", ".", "."]`, `[{"expression": "SEARCH('Errors', 'Sum')"}]`, "SEARCH expressions", false},
	{checkMetrics, "", `[".", ".", ".", ".", {"stat": "p99", "label": "p99"}]`, `["...", {"stat": "p99", "label": "p99"}]`, "is not namespace, name and dimension pairs", false},
	{checkMetrics, "ReserveReconcileConcurrency, 1", "RECONCILE_LOOKBACK: 26h", "METRICS_NAMESPACE: RecordingSync\n          RECONCILE_LOOKBACK: 26h", "emits under", false},
	{checkMetrics, "", `, [".", "BusyWaits", ".", "."]`, "", "does not show ${MetricsNamespace} BusyWaits", false},
	{checkMetrics, "", `, [".", ".", ".", ".", ".", "PanicError"]`, "", "errorType=PanicError", false},
	{checkMetrics, "", `"${DeadLetterAlarm.Arn}", `, "", "want every alarm", false},
	{checkMetrics, "  CopyThrottlesAlarm:", "[!Ref AlarmTopicArn]", "[]", "CopyThrottlesAlarm notifies", false},
	{checkNamespacePattern, "", `S([-A-Za-z0-9._#: ]|$)`, `S([-A-Za-z0-9._/#: ]|$)`, `"AWS/"`, false},
	{checkNamespacePattern, "", "MaxLength: 255", "MaxLength: 256", "disagree on 1 ", false},
	{checkPBXConnection, "", `AllowedPattern: "^https://`, `AllowedPattern: "^https?://`, `accepts "http://pbx.example.com:8088": true`, false},
	{checkPBXConnection, "", "PBX_CA_CERT:", "PBX_ALLOW_HTTP: \"true\"\n          PBX_CA_CERT:", `"pbx_allow_http"`, false},
	{checkPBXConnection, "ReserveReconcileConcurrency, 1", "PBX_CA_CERT: !Ref PbxCaCert", `PBX_CA_CERT: ""`, "RecordingReconcileFunction talks to the PBX", false},
	{checkPBXConnection, "", `-----END CERTIFICATE-----\\s*)?$`, `-----END CERTIFICATE-----\\s*)*$`, "PbxCaCert AllowedPattern", false},
	{checkPBXConnection, "", "PBX_CA_CERT:", "PBX_TLS_SKIP_VERIFY: \"true\"\n          PBX_CA_CERT:", `"skip_verify"`, false},
	{checkREADME, "MaxValue: 10240", "Description: Function", "# Function", "MemorySize has no Description", false},
	{checkREADME, "", "| `MemorySize` | function memory, MB | 128 |\n", "", "MemorySize is not in the README", true},
	{checkREADME, "", "| `MemorySize` |", "| `MemorySize`, `MemorySize` |", "or twice", true},
	{checkREADME, "", "detail-type: [Call End, Recording Ready]", "detail-type: [Call End]", "the README documents", false},
	{checkREADME, "", `"detail-type": ["Call End", "Recording Ready"]`, `"detail-type": ["Call End"]`, "the README documents", true},
	{checkMakefile, "", `"${AWS::StackName}-pbx-webhook"`, `"${AWS::StackName}-webhook"`, "./functions/webhook", false},
	{checkMakefile, "", "Architectures: [arm64]", "Architectures: [x86_64]", "GOARCH=x86_64", false},
}

func TestTemplateMutations(t *testing.T) {
	text, readme := string(readFile(t, "template.yaml")), string(readFile(t, "README.md"))
	broken := map[string]bool{}
	for _, m := range mutations {
		broken[name(m.check)] = true
		t.Run(name(m.check), func(t *testing.T) {
			tpl, doc := text, readme
			target := map[bool]*string{false: &tpl, true: &doc}[m.readme]
			i := strings.Index(*target, m.after)
			j := strings.Index((*target)[max(i, 0):], m.old)
			if i < 0 || j < 0 {
				t.Fatalf("no %q after %q", m.old, m.after)
			}
			*target = (*target)[:i+j] + m.new + (*target)[i+j+len(m.old):]
			problems := loadStack(t, tpl, doc).run(t, m.check)
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, m.want) }) {
				t.Errorf("%q -> %q: problems %q, want one saying %q", m.old, m.new, problems, m.want)
			}
		})
	}
	for _, check := range invariants {
		if !broken[name(check)] {
			t.Errorf("no mutation shows that %s can fail", name(check))
		}
	}
}
