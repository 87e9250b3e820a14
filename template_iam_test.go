package template_test

import (
	"maps"
	"slices"
	"strings"

	"github.com/recording-sync/recording-sync/pkg/config"
)

// stateDir is the stack's own folder of state objects in the bucket: two
// stacks sharing a bucket never touch each other's token or cursor.
const stateDir = ".recording-sync/${AWS::StackName}/"

// leastPrivilege is all each function may do: action -> the resources, as
// scope names them. Each function's grants must be exactly these.
var leastPrivilege = map[string]map[string][]string{
	functionID: {
		"s3:PutObject":                  {"bucket/${KeyPrefix}*", "bucket/" + stateDir + "pbx-token.json"},
		"s3:GetObject":                  {"bucket/${KeyPrefix}*", "bucket/" + stateDir + "pbx-token.json"},
		"s3:AbortMultipartUpload":       {"bucket/${KeyPrefix}*"},
		"s3:ListBucket":                 {"bucket"}, // so that a missing object answers 404, not 403
		"secretsmanager:GetSecretValue": {"${PbxCredentialsSecretArn}"},
		"sqs:SendMessage":               {"${RecordingDeadLetterQueue.Arn}"},
		"kms:GenerateDataKey":           {"${KmsKeyArn}"},
		"kms:Decrypt":                   {"${KmsKeyArn}"},
	},
	webhookID: {
		"sqs:SendMessage":               {"${RecordingQueue.Arn}"},
		"secretsmanager:GetSecretValue": {"${PbxWebhookSecretArn}"},
	},
	reconcileID: {
		"s3:PutObject":                  {"bucket/" + stateDir + "pbx-token.json", "bucket/" + stateDir + "reconcile-state.json"},
		"s3:GetObject":                  {"bucket/" + stateDir + "pbx-token.json", "bucket/" + stateDir + "reconcile-state.json"},
		"s3:ListBucket":                 {"bucket"},
		"secretsmanager:GetSecretValue": {"${PbxCredentialsSecretArn}"},
		"sqs:SendMessage":               {"${RecordingQueue.Arn}"},
		"kms:GenerateDataKey":           {"${KmsKeyArn}"},
		"kms:Decrypt":                   {"${KmsKeyArn}"},
	},
}

// scope names a resource of the bucket the same whether the stack creates
// it or is given one (the two branches of !If CreateBucket): "bucket" and
// "bucket/<key>".
func scope(res string) string {
	for _, b := range []string{"${RecordingsBucket.Arn}", "arn:${AWS::Partition}:s3:::${BucketName}"} {
		if rest, ok := strings.CutPrefix(res, b); ok {
			return "bucket" + rest
		}
	}
	return res
}

func checkLeastPrivilege(s *stack) {
	for _, id := range s.functions() {
		granted := map[string][]string{}
		for _, st := range statements(s.function(id)["Policies"]) {
			if st["Effect"] != "Allow" || st["NotAction"] != nil || st["NotResource"] != nil {
				s.errorf("%s statement %v: want Effect Allow with Action and Resource", id, st["Sid"])
			}
			for _, a := range tokens(st["Action"]) {
				for _, r := range tokens(st["Resource"]) {
					granted[a] = append(granted[a], scope(r))
				}
				if strings.HasPrefix(a, "kms:") {
					s.checkKMSCondition(id, st)
				}
			}
		}
		actions := slices.Concat(slices.Collect(maps.Keys(granted)), slices.Collect(maps.Keys(leastPrivilege[id])))
		slices.Sort(actions)
		for _, a := range slices.Compact(actions) {
			got := slices.Compact(slices.Sorted(slices.Values(granted[a])))
			if want := slices.Sorted(slices.Values(leastPrivilege[id][a])); !slices.Equal(got, want) {
				s.errorf("%s: %s on %q, want on %q", id, a, got, want)
			}
		}
		for _, v := range []string{"PBX_CLIENT_ID", "PBX_CLIENT_SECRET", "PBX_WEBHOOK_SECRET"} {
			if s.env(id)[v] != nil {
				s.errorf("%s: environment has %s; credentials belong in Secrets Manager", id, v)
			}
		}
	}
}

// checkKMSCondition: S3 uses the key for the function only in this region
// (kms:ViaService) and for this bucket's objects, or the bucket itself when
// it uses an S3 Bucket Key (kms:EncryptionContext:aws:s3:arn).
func (s *stack) checkKMSCondition(id string, st map[string]any) {
	if via := tokens(at(st, "Condition.StringEquals.kms:ViaService")); !slices.Equal(via, []string{"s3.${AWS::Region}.amazonaws.com"}) {
		s.errorf("%s statement %v: kms:ViaService %v, want S3 in this region", id, st["Sid"], via)
	}
	arns, _ := at(st, "Condition.StringLike.kms:EncryptionContext:aws:s3:arn").([]any)
	if len(arns) == 0 {
		s.errorf("%s statement %v: no kms:EncryptionContext:aws:s3:arn", id, st["Sid"])
	}
	for _, a := range arns {
		text := at(a, "Fn::Sub.0")
		if !slices.Contains([]any{"arn:${AWS::Partition}:s3:::${Bucket}", "arn:${AWS::Partition}:s3:::${Bucket}/*"}, text) ||
			!slices.Equal(tokens(at(a, "Fn::Sub.1.Bucket")), []string{"${RecordingsBucket}", "${BucketName}"}) {
			s.errorf("%s statement %v: encryption context %v is not this bucket or its objects", id, st["Sid"], a)
		}
	}
}

// checkWebhookSecret: the public function sees its own secret and nothing
// else, and judges stale events by the reconciler's lookback.
func checkWebhookSecret(s *stack) {
	for id, res := range mapAt(s.tpl, "Resources") {
		if mentions := refersTo(res, "PbxWebhookSecretArn"); mentions != (id == webhookID) {
			s.errorf("%s refers to PbxWebhookSecretArn: %v, want %v", id, mentions, id == webhookID)
		}
	}
	if refersTo(s.function(webhookID), "PbxCredentialsSecretArn") {
		s.errorf("the webhook function refers to the PBX API credentials secret")
	}
	env, lookback := s.env(webhookID), s.env(reconcileID)["RECONCILE_LOOKBACK"]
	if env["PBX_WEBHOOK_SECRET_ID"] == nil || env["PBX_CREDENTIALS_SECRET"] != nil {
		s.errorf("webhook environment %v: want PBX_WEBHOOK_SECRET_ID and no PBX_CREDENTIALS_SECRET", env)
	}
	if env["RECONCILE_LOOKBACK"] == nil || env["RECONCILE_LOOKBACK"] != lookback {
		s.errorf("webhook RECONCILE_LOOKBACK %v, want the reconciler's %v", env["RECONCILE_LOOKBACK"], lookback)
	}
}

// checkStateObjects: every function shares one token object in stateDir;
// the grants on state objects are exactly the ones each function uses (the
// reconciler's state as the code derives it from TOKEN_CACHE_KEY); the
// bucket the stack creates denies the folder to all but those roles.
func checkStateObjects(s *stack) {
	var users, tokenKeys []string
	for _, id := range s.functions() {
		var objects []string
		if key := s.env(id)["TOKEN_CACHE_KEY"]; key != nil {
			tokenKey := token(key)
			tokenKeys = append(tokenKeys, tokenKey)
			if !strings.HasPrefix(tokenKey, stateDir) {
				s.errorf("%s: TOKEN_CACHE_KEY %q lies outside the stack's folder %s", id, tokenKey, stateDir)
			}
			objects = append(objects, "bucket/"+tokenKey)
			if id == reconcileID {
				objects = append(objects, "bucket/"+s.reconcileStateKey(tokenKey))
			}
			users = append(users, "${"+id+"Role.Arn}")
		}
		for _, action := range []string{"s3:GetObject", "s3:PutObject"} {
			state := slices.DeleteFunc(slices.Clone(leastPrivilege[id][action]), func(r string) bool { return !strings.HasPrefix(r, "bucket/.recording-sync/") })
			if !slices.Equal(slices.Sorted(slices.Values(state)), slices.Sorted(slices.Values(objects))) {
				s.errorf("%s: %s on state objects %v, want exactly its own %v", id, action, state, objects)
			}
		}
	}
	if len(slices.Compact(slices.Sorted(slices.Values(tokenKeys)))) != 1 {
		s.errorf("TOKEN_CACHE_KEY %v: want one token object all functions share", tokenKeys)
	}
	var excepted []string
	for _, id := range s.resources("AWS::S3::BucketPolicy") {
		for _, st := range statements(at(s.tpl, "Resources."+id+".Properties.PolicyDocument")) {
			if slices.Contains(tokens(st["Resource"]), "${RecordingsBucket.Arn}/"+stateDir+"*") &&
				st["Effect"] == "Deny" && st["Principal"] == "*" && st["Action"] == "s3:*" {
				excepted = append(excepted, tokens(at(st, "Condition.ArnNotEquals.aws:PrincipalArn"))...)
			}
		}
	}
	if slices.Sort(excepted); !slices.Equal(excepted, users) {
		s.errorf("the bucket policy keeps %s to %v, want the roles of the functions that use it, %v", stateDir, excepted, users)
	}
}

// reconcileStateKey is the reconciler's state object for tokenKey, as
// config.LoadReconcile derives it.
func (s *stack) reconcileStateKey(tokenKey string) string {
	env := map[string]string{
		"PBX_BASE_URL": "https://pbx.example.com:8088", "PBX_CLIENT_ID": "id", "PBX_CLIENT_SECRET": "secret",
		"RECORDINGS_BUCKET": "recordings", "TOKEN_CACHE_KEY": tokenKey,
		"RECORDINGS_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
	}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	c, err := config.Load(lookup)
	if err != nil {
		s.errorf("TOKEN_CACHE_KEY %q: %v", tokenKey, err)
		return ""
	}
	r, err := config.LoadReconcile(c, lookup)
	if err != nil {
		s.errorf("TOKEN_CACHE_KEY %q: %v", tokenKey, err)
		return ""
	}
	return r.StateKey
}

// checkQueueSenders: one statement of the recording queue's policy denies
// sqs:SendMessage to every principal but the roles granted it, and the
// EventBridge rules that target the queue (none today); nothing is allowed.
func checkQueueSenders(s *stack) {
	want := map[string][]string{}
	for _, id := range slices.Sorted(maps.Keys(leastPrivilege)) {
		if slices.Contains(leastPrivilege[id]["sqs:SendMessage"], "${RecordingQueue.Arn}") {
			want["aws:PrincipalArn"] = append(want["aws:PrincipalArn"], "${"+id+"Role.Arn}")
		}
	}
	for _, id := range s.resources("AWS::Events::Rule") {
		if slices.Contains(tokens(at(s.tpl, "Resources."+id+".Properties.Targets")), "${RecordingQueue.Arn}") {
			want["aws:SourceArn"] = append(want["aws:SourceArn"], "${"+id+".Arn}")
		}
	}
	var denies int
	for _, id := range s.resources("AWS::SQS::QueuePolicy") {
		props := mapAt(s.tpl, "Resources."+id+".Properties")
		if !slices.Contains(tokens(props["Queues"]), "${RecordingQueue}") {
			continue
		}
		for _, st := range statements(props["PolicyDocument"]) {
			cond := mapAt(st, "Condition")
			if st["Effect"] != "Deny" || st["Principal"] != "*" || !slices.Contains(tokens(st["Action"]), "sqs:SendMessage") ||
				!slices.Equal(tokens(st["Resource"]), []string{"${RecordingQueue.Arn}"}) || len(cond) != 1 {
				s.errorf("%s statement %v: want Deny to Principal * of sqs:SendMessage on the recording queue, on one condition", id, st["Sid"])
				continue
			}
			got := map[string][]string{}
			for k, v := range mapAt(cond, "ArnNotEquals") {
				got[k] = slices.Sorted(slices.Values(tokens(v)))
			}
			if !maps.EqualFunc(got, want, slices.Equal) {
				s.errorf("%s statement %v: excepts %v, want %v", id, st["Sid"], got, want)
			}
			denies++
		}
	}
	if denies != 1 {
		s.errorf("%d statements deny SendMessage on the recording queue, want 1", denies)
	}
}
