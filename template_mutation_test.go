package template_test

import (
	"slices"
	"strings"
	"testing"
)

// mutations each break a copy of the template (of the README, when
// readme): the first old after after becomes new. The invariant named
// must then report a problem that says want.
var mutations = []struct {
	invariant, after, old, new, want string
	readme                           bool
}{
	{"LeastPrivilege", "Sid: QueueRecordings", "Resource: !GetAtt RecordingQueue.Arn", `Resource: "*"`, `sqs:SendMessage on ["*"]`, false},
	{"LeastPrivilege", "Sid: WriteRecordingsUnderTheirPrefixOnly", "${BucketName}/${KeyPrefix}*", "${BucketName}/*", `"bucket/*"`, false},
	{"LeastPrivilege", "Sid: EncryptWithTheBucketKey", `!Sub "s3.${AWS::Region}.amazonaws.com"`, `"s3.amazonaws.com"`, "want S3 in this region", false},
	{"LeastPrivilege", "  PbxWebhookFunction:", "Policies:", "Policies:\n        - AmazonSQSFullAccess", "want Effect Allow", false},
	{"LeastPrivilege", "", "BATCH_CONCURRENCY:", "PBX_CLIENT_SECRET: s3cr3t\n          BATCH_CONCURRENCY:", "environment has PBX_CLIENT_SECRET", false},
	{"WebhookSecret", "", "PBX_CREDENTIALS_SECRET: !Ref PbxCredentialsSecretArn", "PBX_CREDENTIALS_SECRET: !Ref PbxWebhookSecretArn", "RecordingSyncFunction refers to PbxWebhookSecretArn", false},
	{"WebhookSecret", "PBX_WEBHOOK_SECRET_ID", "RECONCILE_LOOKBACK: 26h", "RECONCILE_LOOKBACK: 48h", "want the reconciler's", false},
	{"StateObjects", "OnlyTheFunctionsTouchTheirState", "- !GetAtt RecordingReconcileFunctionRole.Arn", "- !GetAtt PbxWebhookFunctionRole.Arn", "the bucket policy keeps", false},
	{"StateObjects", "ReserveReconcileConcurrency, 1", `".recording-sync/${AWS::StackName}/pbx-token.json"`, `".recording-sync/pbx-token.json"`, "lies outside the stack's folder", false},
	{"QueueSenders", "OnlyTheStackQueuesRecordings", "Effect: Deny", "Effect: Allow", "want Deny of sqs:SendMessage", false},
	{"QueueSenders", "OnlyTheStackQueuesRecordings", "- !GetAtt PbxWebhookFunctionRole.Arn", "- !GetAtt RecordingSyncFunctionRole.Arn", "want Deny of sqs:SendMessage", false},
	{"QueueOutlastsConsumer", "", "VisibilityTimeout: 1800", "VisibilityTimeout: 1500", "want at least 6 x", false},
	{"DeadLetters", "  DeadLetterAlarm:", "!GetAtt RecordingDeadLetterQueue.QueueName", "!GetAtt RecordingQueue.QueueName", "which no alarm watches", false},
	{"DeadLetters", "", "DEAD_LETTER_QUEUE_URL: !Ref RecordingDeadLetterQueue", "DEAD_LETTER_QUEUE_URL: !Ref EventsDeadLetterQueue", "the recording queue's dead-letter queue", false},
	{"NothingReservedByDefault", "  WebhookConcurrency:", "Default: 0", "Default: 5", "PbxWebhookFunction reserves concurrency", false},
	{"LogRetention", "  PbxWebhookFunctionLogGroup:", "RetentionInDays: !Ref LogRetentionDays", "RetentionInDays: 3653", "want a log group of its own", false},
	{"LogRetention", "", "LogGroup: !Ref PbxWebhookFunctionLogGroup", "LogGroup: !Ref RecordingSyncFunctionLogGroup", "functions share log groups", false},
	{"MetricsEmitted", "  ReconcileLostAlarm:", "MetricName: ReconcileRecordingsLost", "MetricName: ReconcileRecordingLost", "ReconcileRecordingLost", false},
	{"MetricsEmitted", "", "Value: PermanentError", "Value: PermanentErr", "errorType=PermanentErr ", false},
	{"MetricsEmitted", "  PermanentErrorAlarm:", "Namespace: !Ref MetricsNamespace", "Namespace: RecordingSync", "RecordingSync RecordingsFailed", false},
	{"MetricsEmitted", "", `"WebhookEventsReceived", "function", "${PbxWebhookFunction}"`, `"WebhookEventsReceived", "function", "${RecordingSyncFunction}"`, "WebhookEventsReceived function=${RecordingSyncFunction}", false},
	{"MetricsEmitted", "", `"BytesCopied", "function", "${RecordingSyncFunction}"`, `"BytesCopied", "function", "${RecordingSyncFunction}", "errorType", "PermanentError"`, "BytesCopied errorType=PermanentError", false},
	{"MetricsEmitted", "", `[".", "BusyWaits", ".", "."]`, `[".", "BusyWait", ".", "."]`, "BusyWait function", false},
	{"MetricsEmitted", "", `["AWS/Lambda", "Errors"`, `["AWS/Lambda", "Error"`, "AWS/Lambda Error ", false},
	{"MetricsEmitted", "", `"QueueName", "${RecordingQueue.QueueName}"`, `"QueueName", "other-queue"`, "QueueName=other-queue", false},
	{"MetricsEmitted", "", `["AWS/Lambda", "Errors", "FunctionName", "${RecordingSyncFunction}"], [".", "Throttles", ".", "."]`, `[{"expression": "SEARCH('Errors', 'Sum')"}]`, "SEARCH expressions", false},
	{"MetricsEmitted", "", `[".", ".", ".", ".", {"stat": "p99", "label": "p99"}]`, `["...", {"stat": "p99", "label": "p99"}]`, "item 0 is ...", false},
	{"MetricsEmitted", "ReserveReconcileConcurrency, 1", "RECONCILE_LOOKBACK: 26h", "METRICS_NAMESPACE: RecordingSync\n          RECONCILE_LOOKBACK: 26h", "emits under", false},
	{"DashboardComplete", "", `, [".", "BusyWaits", ".", "."]`, "", "does not show ${MetricsNamespace} BusyWaits", false},
	{"DashboardComplete", "", `, [".", ".", ".", ".", ".", "PanicError"]`, "", "errorType=PanicError", false},
	{"DashboardComplete", "", `"${DeadLetterAlarm.Arn}", `, "", "want every alarm", false},
	{"DashboardComplete", "  CopyThrottlesAlarm:", "[!Ref AlarmTopicArn]", "[]", "CopyThrottlesAlarm notifies", false},
	{"NamespacePattern", "", `S([-A-Za-z0-9._#: ]|$)`, `S([-A-Za-z0-9._/#: ]|$)`, `"AWS/"`, false},
	{"NamespacePattern", "", "MaxLength: 255", "MaxLength: 256", "disagree on 1 ", false},
	{"HTTPSOnly", "", `AllowedPattern: "^https://`, `AllowedPattern: "^https?://`, `"http://pbx.example.com:8088" = true`, false},
	{"HTTPSOnly", "", "PBX_CA_CERT:", "PBX_ALLOW_HTTP: \"true\"\n          PBX_CA_CERT:", "PBX_ALLOW_HTTP", false},
	{"PBXCertificate", "ReserveReconcileConcurrency, 1", "PBX_CA_CERT: !Ref PbxCaCert", `PBX_CA_CERT: ""`, "RecordingReconcileFunction talks to the PBX", false},
	{"PBXCertificate", "", `-----END CERTIFICATE-----\\s*)?$`, `-----END CERTIFICATE-----\\s*)*$`, "PbxCaCert AllowedPattern", false},
	{"PBXCertificate", "", "PBX_CA_CERT:", "PBX_TLS_SKIP_VERIFY: \"true\"\n          PBX_CA_CERT:", `"skip_verify"`, false},
	{"ParametersDocumented", "MaxValue: 10240", "Description: Function", "# Function", "MemorySize has no Description", false},
	{"ParametersDocumented", "", "| `MemorySize` | function memory, MB | 128 |\n", "", "MemorySize is not in the README", true},
	{"ParametersDocumented", "", "| `MemorySize` |", "| `MemorySize`, `MemorySize` |", "or twice", true},
	{"EventBridgePattern", "", "detail-type: [Call End, Recording Ready]", "detail-type: [Call End]", "the README documents", false},
	{"EventBridgePattern", "", `"detail-type": ["Call End", "Recording Ready"]`, `"detail-type": ["Call End"]`, "the README documents", true},
	{"MakefileBuildsEachFunction", "", `"${AWS::StackName}-pbx-webhook"`, `"${AWS::StackName}-webhook"`, "./functions/webhook", false},
	{"MakefileBuildsEachFunction", "", "Architectures: [arm64]", "Architectures: [x86_64]", "GOARCH=x86_64", false},
}

func TestTemplateMutations(t *testing.T) {
	text, readme := string(readFile(t, "template.yaml")), string(readFile(t, "README.md"))
	broken := map[string]bool{}
	for _, m := range mutations {
		broken[m.invariant] = true
		t.Run(m.invariant, func(t *testing.T) {
			tpl, doc := text, readme
			target := map[bool]*string{false: &tpl, true: &doc}[m.readme]
			i := strings.Index(*target, m.after)
			j := strings.Index((*target)[max(i, 0):], m.old)
			if i < 0 || j < 0 || invariants[m.invariant] == nil {
				t.Fatalf("%q after %q: not found, or no invariant %s", m.old, m.after, m.invariant)
			}
			*target = (*target)[:i+j] + m.new + (*target)[i+j+len(m.old):]
			problems := loadStack(t, tpl, doc).run(t, m.invariant)
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, m.want) }) {
				t.Errorf("%q -> %q: problems %q, want one saying %q", m.old, m.new, problems, m.want)
			}
		})
	}
	for name := range invariants {
		if !broken[name] {
			t.Errorf("no mutation shows that %s can fail", name)
		}
	}
}
