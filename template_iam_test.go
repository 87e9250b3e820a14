package template_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
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

// policyStatements returns a function's inline statements, those of a
// conditional policy (!If) included.
func policyStatements(t *testing.T, policies any) []map[string]any {
	t.Helper()
	var out []map[string]any
	var add func(p any)
	add = func(p any) {
		switch p := p.(type) {
		case []any:
			for _, e := range p {
				add(e)
			}
		case map[string]any:
			if b, ok := p["Fn::If"].([]any); ok && len(b) == 3 {
				add(b[1:])
				return
			}
			if p["Ref"] == "AWS::NoValue" {
				return
			}
			stmts, ok := p["Statement"].([]any)
			if !ok {
				t.Fatalf("policy %v: want a Statement list (policy templates are not checked)", p)
			}
			for _, s := range stmts {
				out = append(out, s.(map[string]any))
			}
		}
	}
	add(policies)
	return out
}

// TestLeastPrivilege checks each function's grants against
// leastPrivilege, in both branches of every !If, and that KMS is granted
// only through S3 for this bucket.
func TestLeastPrivilege(t *testing.T) {
	tpl := loadTemplate(t)
	for _, id := range resourcesOfType(t, tpl, "AWS::Serverless::Function") {
		t.Run(id, func(t *testing.T) {
			props := functionProps(t, tpl, id)
			granted := map[string][]string{}
			for _, s := range policyStatements(t, props["Policies"]) {
				if s["Effect"] != "Allow" || s["NotAction"] != nil || s["NotResource"] != nil {
					t.Errorf("statement %v: want Effect Allow with Action and Resource", s["Sid"])
				}
				for _, a := range tokens(s["Action"]) {
					for _, r := range tokens(s["Resource"]) {
						if !slices.Contains(granted[a], scope(r)) {
							granted[a] = append(granted[a], scope(r))
						}
					}
					if strings.HasPrefix(a, "kms:") {
						checkKMSCondition(t, s)
					}
				}
			}
			want := leastPrivilege[id]
			for _, a := range slices.Sorted(maps.Keys(granted)) {
				slices.Sort(granted[a])
				if w := slices.Sorted(slices.Values(want[a])); !slices.Equal(granted[a], w) {
					t.Errorf("%s on %q, want on %q", a, granted[a], w)
				}
			}
			for a := range want {
				if granted[a] == nil {
					t.Errorf("%s not granted", a)
				}
			}
			env := getMap(t, props, "Environment", "Variables")
			for _, v := range []string{"PBX_CLIENT_ID", "PBX_CLIENT_SECRET", "PBX_WEBHOOK_SECRET"} {
				if env[v] != nil {
					t.Errorf("environment has %s; credentials belong in Secrets Manager", v)
				}
			}
		})
	}
}

// checkKMSCondition: S3 uses the key for this function only in this region
// (kms:ViaService) and for this bucket's objects, or the bucket itself when
// it uses an S3 Bucket Key (kms:EncryptionContext:aws:s3:arn).
func checkKMSCondition(t *testing.T, s map[string]any) {
	t.Helper()
	via, _ := at(s, "Condition", "StringEquals", "kms:ViaService")
	if tok := tokens(via); !slices.Equal(tok, []string{"s3.${AWS::Region}.amazonaws.com"}) {
		t.Errorf("statement %v: kms:ViaService %v, want S3 in this region", s["Sid"], tok)
	}
	arns, _ := at(s, "Condition", "StringLike", "kms:EncryptionContext:aws:s3:arn")
	list, _ := arns.([]any)
	if len(list) == 0 {
		t.Errorf("statement %v: no kms:EncryptionContext:aws:s3:arn", s["Sid"])
	}
	for _, a := range list {
		sub, _ := at(a, "Fn::Sub")
		text, _ := at(sub, "0")
		bucket, _ := at(sub, "1", "Bucket")
		if !slices.Contains([]any{"arn:${AWS::Partition}:s3:::${Bucket}", "arn:${AWS::Partition}:s3:::${Bucket}/*"}, text) ||
			!slices.Equal(tokens(bucket), []string{"${RecordingsBucket}", "${BucketName}"}) {
			t.Errorf("statement %v: encryption context %v is not this bucket or its objects", s["Sid"], a)
		}
	}
}

// TestStateFolderKeptToItsFunctions: the bucket the stack creates denies
// the stack's state folder to every principal but the roles of the
// functions granted an object there; every function shares one token
// object there.
func TestStateFolderKeptToItsFunctions(t *testing.T) {
	tpl := loadTemplate(t)
	var users, tokenKeys []string
	for id, grants := range leastPrivilege {
		if slices.ContainsFunc(grants["s3:GetObject"], func(r string) bool { return strings.HasPrefix(r, "bucket/"+stateDir) }) {
			users = append(users, "${"+id+"Role.Arn}")
		}
		if key, err := at(functionProps(t, tpl, id), "Environment", "Variables", "TOKEN_CACHE_KEY"); err == nil {
			obj := "bucket/" + strings.Join(tokens(key), "")
			tokenKeys = append(tokenKeys, obj)
			if !slices.Contains(grants["s3:PutObject"], obj) {
				t.Errorf("%s: TOKEN_CACHE_KEY %v is not the token object it may write", id, key)
			}
		}
	}
	if len(slices.Compact(slices.Sorted(slices.Values(tokenKeys)))) != 1 {
		t.Errorf("TOKEN_CACHE_KEY %v: want one token object all functions share", tokenKeys)
	}
	var excepted []string
	for _, id := range resourcesOfType(t, tpl, "AWS::S3::BucketPolicy") {
		for _, s := range policyStatements(t, get(t, tpl, "Resources", id, "Properties", "PolicyDocument")) {
			if slices.Contains(tokens(s["Resource"]), "${RecordingsBucket.Arn}/"+stateDir+"*") &&
				s["Effect"] == "Deny" && s["Principal"] == "*" && s["Action"] == "s3:*" {
				p, _ := at(s, "Condition", "ArnNotEquals", "aws:PrincipalArn")
				excepted = append(excepted, tokens(p)...)
			}
		}
	}
	slices.Sort(users)
	if slices.Sort(excepted); !slices.Equal(excepted, users) {
		t.Errorf("the bucket policy keeps %s to %v, want the roles of the functions that use it, %v", stateDir, excepted, users)
	}
}

// TestOnlyTheWebhookReadsItsSecret: the public function sees its own secret
// and nothing else: no other resource names the webhook's secret, and the
// webhook function names neither the PBX API credentials nor a secret in
// its environment; it judges stale events by the reconciler's lookback.
func TestOnlyTheWebhookReadsItsSecret(t *testing.T) {
	tpl := loadTemplate(t)
	for id, res := range getMap(t, tpl, "Resources") {
		if mentions := refersTo(res, "PbxWebhookSecretArn"); mentions != (id == webhookID) {
			t.Errorf("%s refers to PbxWebhookSecretArn: %v, want %v", id, mentions, id == webhookID)
		}
	}
	webhook := functionProps(t, tpl, webhookID)
	if refersTo(webhook, "PbxCredentialsSecretArn") {
		t.Error("the webhook function refers to the PBX API credentials secret")
	}
	env := getMap(t, webhook, "Environment", "Variables")
	if env["PBX_WEBHOOK_SECRET_ID"] == nil || env["PBX_CREDENTIALS_SECRET"] != nil {
		t.Errorf("webhook environment %v: want PBX_WEBHOOK_SECRET_ID and no PBX_CREDENTIALS_SECRET", env)
	}
	reconcileEnv := getMap(t, functionProps(t, tpl, reconcileID), "Environment", "Variables")
	if env["RECONCILE_LOOKBACK"] == nil || fmt.Sprint(env["RECONCILE_LOOKBACK"]) != fmt.Sprint(reconcileEnv["RECONCILE_LOOKBACK"]) {
		t.Errorf("webhook RECONCILE_LOOKBACK %v, want the reconciler's %v", env["RECONCILE_LOOKBACK"], reconcileEnv["RECONCILE_LOOKBACK"])
	}
}

// refersTo reports whether v holds a Ref to name anywhere.
func refersTo(v any, name string) bool {
	switch v := v.(type) {
	case map[string]any:
		if r, ok := v["Ref"]; ok && r == name {
			return true
		}
		for _, e := range v {
			if refersTo(e, name) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if refersTo(e, name) {
				return true
			}
		}
	}
	return false
}
