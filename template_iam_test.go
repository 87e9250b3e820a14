package template_test

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/recording-sync/recording-sync/pkg/config"
)

// stateDir is the stack's own folder of state objects in the bucket: two
// stacks sharing a bucket never touch each other's token or cursor.
const stateDir = ".recording-sync/${AWS::StackName}/"

// The state objects the functions use, as pkg/config derives them from
// the template's TOKEN_CACHE_KEY: the single PBX's, and, when
// PbxSecretPrefix is set, every further PBX's in its own folder ("*" for
// its id).
var (
	tokenKey       = stateDir + "pbx-token.json"
	pbxTokenKey    = config.TokenKeyFor(tokenKey, "*")
	stateKey       = config.StateKeyFor(tokenKey, "default")
	pbxStateKey    = config.StateKeyFor(tokenKey, "*")
	pbxSecrets     = "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${PbxSecretPrefix}*"
	listPBXSecrets = []string{"*"} // AWS allows no narrower resource for ListSecrets
)

// leastPrivilege is all each function may do: action -> the resources, as
// scope names them. Each function's grants must be exactly these.
var leastPrivilege = map[string]map[string][]string{
	functionID: {
		"s3:PutObject":                  {"bucket/${KeyPrefix}*", "bucket/" + tokenKey, "bucket/" + pbxTokenKey},
		"s3:GetObject":                  {"bucket/${KeyPrefix}*", "bucket/" + tokenKey, "bucket/" + pbxTokenKey},
		"s3:AbortMultipartUpload":       {"bucket/${KeyPrefix}*"},
		"s3:ListBucket":                 {"bucket"}, // so that a missing object answers 404, not 403
		"secretsmanager:GetSecretValue": {"${PbxCredentialsSecretArn}", pbxSecrets},
		"secretsmanager:ListSecrets":    listPBXSecrets,
		"sqs:SendMessage":               {"${RecordingDeadLetterQueue.Arn}"},
		"sqs:ChangeMessageVisibility":   {"${RecordingQueue.Arn}"},
		"kms:GenerateDataKey":           {"${KmsKeyArn}"},
		"kms:Decrypt":                   {"${KmsKeyArn}"},
	},
	webhookID: {
		"sqs:SendMessage":               {"${RecordingQueue.Arn}"},
		"secretsmanager:GetSecretValue": {"${PbxWebhookSecretArn}", pbxSecrets},
		"secretsmanager:ListSecrets":    listPBXSecrets,
	},
	reconcileID: {
		"s3:PutObject":                  {"bucket/" + tokenKey, "bucket/" + stateKey, "bucket/" + pbxTokenKey, "bucket/" + pbxStateKey},
		"s3:GetObject":                  {"bucket/" + tokenKey, "bucket/" + stateKey, "bucket/" + pbxTokenKey, "bucket/" + pbxStateKey},
		"s3:ListBucket":                 {"bucket"},
		"secretsmanager:GetSecretValue": {"${PbxCredentialsSecretArn}", pbxSecrets},
		"secretsmanager:ListSecrets":    listPBXSecrets,
		"sqs:SendMessage":               {"${RecordingQueue.Arn}"},
		"kms:GenerateDataKey":           {"${KmsKeyArn}"},
		"kms:Decrypt":                   {"${KmsKeyArn}"},
	},
}

// scope names the bucket ("bucket", "bucket/<key>") the same whether the
// stack creates it or is given one (the branches of !If CreateBucket).
func scope(res string) string {
	for _, b := range []string{"${RecordingsBucket.Arn}", "arn:${AWS::Partition}:s3:::${BucketName}"} {
		if rest, ok := strings.CutPrefix(res, b); ok {
			return "bucket" + rest
		}
	}
	return res
}

// checkLeastPrivilege: grants in both branches of every !If, Allow only;
// credentials only through Secrets Manager.
func checkLeastPrivilege(s *stack) {
	for _, id := range s.functions() {
		granted := map[string][]string{}
		for _, st := range statements(s.function(id)["Policies"]) {
			s.expect(st["Effect"] == "Allow" && st["NotAction"] == nil && st["NotResource"] == nil, "%s statement %v: want Effect Allow with Action and Resource", id, st["Sid"])
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
			want := slices.Sorted(slices.Values(leastPrivilege[id][a]))
			s.expect(slices.Equal(got, want), "%s: %s on %q, want on %q", id, a, got, want)
		}
		for _, v := range []string{"PBX_CLIENT_ID", "PBX_CLIENT_SECRET", "PBX_WEBHOOK_SECRET"} {
			s.expect(s.env(id)[v] == nil, "%s: environment has %s; credentials belong in Secrets Manager", id, v)
		}
	}
}

// checkKMSCondition: only S3 in this region uses the key for the function,
// for this bucket (an S3 Bucket Key) or its objects.
func (s *stack) checkKMSCondition(id string, st map[string]any) {
	via := tokens(at(st, "Condition.StringEquals.kms:ViaService"))
	s.expect(slices.Equal(via, []string{"s3.${AWS::Region}.amazonaws.com"}), "%s statement %v: kms:ViaService %v, want S3 in this region", id, st["Sid"], via)
	arns := asList(at(st, "Condition.StringLike.kms:EncryptionContext:aws:s3:arn"))
	if len(arns) == 0 {
		arns = []any{"none"}
	}
	for _, a := range arns {
		if text := at(a, "Fn::Sub.0"); (text != "arn:${AWS::Partition}:s3:::${Bucket}" && text != "arn:${AWS::Partition}:s3:::${Bucket}/*") ||
			!slices.Equal(tokens(at(a, "Fn::Sub.1.Bucket")), []string{"${RecordingsBucket}", "${BucketName}"}) {
			s.errorf("%s statement %v: encryption context %v is not this bucket or its objects", id, st["Sid"], a)
		}
	}
}

// checkWebhookSecret: the public function sees its own secret and nothing
// else, and judges replays by the reconciler's lookback.
func checkWebhookSecret(s *stack) {
	for id, res := range mapAt(s.tpl, "Resources") {
		s.expect(refersTo(res, "PbxWebhookSecretArn") == (id == webhookID), "%s refers to PbxWebhookSecretArn: %v, want %v", id, id != webhookID, id == webhookID)
	}
	s.expect(!refersTo(s.function(webhookID), "PbxCredentialsSecretArn"), "the webhook function refers to the PBX API credentials secret")
	got, want := s.env(webhookID)["RECONCILE_LOOKBACK"], s.env(reconcileID)["RECONCILE_LOOKBACK"]
	s.expect(got != nil && got == want, "webhook RECONCILE_LOOKBACK %v, want the reconciler's %v", got, want)
}

// checkStateObjects: each function may get and put exactly the state
// objects it uses (leastPrivilege's: one token for all, in stateDir); the
// bucket the stack creates denies the folder to every other role.
func checkStateObjects(s *stack) {
	var users []string
	for _, id := range s.functions() {
		var objects []string
		if key := token(s.env(id)["TOKEN_CACHE_KEY"]); key != "" {
			users, objects = append(users, "${"+id+"Role.Arn}"), []string{"bucket/" + key}
			if id == reconcileID {
				objects = append(objects, "bucket/"+s.reconcileStateKey(key))
			}
			// With further PBXs, each one's objects in a folder of its id
			// ("*" here), as pkg/config places them.
			if _, ok := s.env(id)["PBX_SECRET_PREFIX"]; ok {
				objects = append(objects, "bucket/"+config.TokenKeyFor(key, "*"))
				if id == reconcileID {
					objects = append(objects, "bucket/"+config.StateKeyFor(key, "*"))
				}
			}
		}
		for _, action := range []string{"s3:GetObject", "s3:PutObject"} {
			state := slices.DeleteFunc(slices.Clone(leastPrivilege[id][action]), func(r string) bool { return !strings.HasPrefix(r, "bucket/"+stateDir) })
			s.expect(slices.Equal(slices.Sorted(slices.Values(state)), slices.Sorted(slices.Values(objects))),
				"%s: %s on state objects %v, want exactly the ones it uses, %v", id, action, state, objects)
		}
	}
	got := s.keptTo("AWS::S3::BucketPolicy", "${RecordingsBucket.Arn}/"+stateDir+"*", "s3:*")
	s.expect(fmt.Sprint(got) == fmt.Sprint([][]string{slices.Sorted(slices.Values(users))}), "the bucket policy keeps %s to %v, want the roles of the functions that use it, %v", stateDir, got, users)
}

// keptTo returns, for each statement on resource of the policies of type
// typ, the roles it keeps action to by denying it to all others; nil if not.
func (s *stack) keptTo(typ, resource, action string) [][]string {
	var out [][]string
	for _, id := range s.resources(typ) {
		for _, st := range statements(at(s.tpl, "Resources."+id+".Properties.PolicyDocument")) {
			var roles []string
			if st["Effect"] == "Deny" && st["Principal"] == "*" && slices.Contains(tokens(st["Action"]), action) &&
				len(mapAt(st, "Condition")) == 1 && len(mapAt(st, "Condition.ArnNotEquals")) == 1 {
				roles = slices.Sorted(slices.Values(tokens(at(st, "Condition.ArnNotEquals.aws:PrincipalArn"))))
			}
			if slices.Contains(tokens(st["Resource"]), resource) {
				out = append(out, roles)
			}
		}
	}
	return out
}

// reconcileStateKey is the reconciler's state object for tokenKey, as
// config.LoadReconcile derives it.
func (s *stack) reconcileStateKey(tokenKey string) string {
	env := map[string]string{"RECORDINGS_QUEUE_URL": "https://sqs.example.com/q"}
	r, err := config.LoadReconcile(config.Config{TokenCacheKey: tokenKey}, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	s.expect(err == nil, "TOKEN_CACHE_KEY %q: %v", tokenKey, err)
	return r.StateKey
}

// checkQueueSenders: the recording queue's policy is one statement that
// denies sqs:SendMessage to every role but those granted it.
func checkQueueSenders(s *stack) {
	var senders []string
	for id, grants := range leastPrivilege {
		if slices.Contains(grants["sqs:SendMessage"], "${RecordingQueue.Arn}") {
			senders = append(senders, "${"+id+"Role.Arn}")
		}
	}
	slices.Sort(senders)
	got := s.keptTo("AWS::SQS::QueuePolicy", "${RecordingQueue.Arn}", "sqs:SendMessage")
	s.expect(fmt.Sprint(got) == fmt.Sprint([][]string{senders}), "the recording queue's policy keeps SendMessage to %v, want %v only", got, senders)
}

// checkPBXConnection: the client secret travels in the get_token body:
// never over plain HTTP, nor unverified TLS. PbxCaCert is one PEM
// certificate, on its lines or one line (a chain is too long for Lambda's
// environment), or nothing.
func checkPBXConnection(s *stack) {
	for _, id := range s.functions() {
		env := s.env(id)
		s.expect(env["PBX_BASE_URL"] == nil || token(env["PBX_CA_CERT"]) == "${PbxCaCert}", "%s talks to the PBX with PBX_CA_CERT %v, want !Ref PbxCaCert", id, env["PBX_CA_CERT"])
	}
	for _, off := range []string{"pbx_allow_http", "insecureskipverify", "insecure_skip", "skip_verify", "skipverify", "no_verify"} {
		s.expect(!strings.Contains(strings.ToLower(s.text), off), "the template mentions %q: plain HTTP is for local use only; TLS verification is never off", off)
	}
	cert := "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\nQ2hhbmdlTWU=\n-----END CERTIFICATE-----\n"
	for param, accepts := range map[string]map[string]bool{
		"PbxBaseUrl": {"https://pbx.example.com:8088": true, "https://pbx.example.com/base": true, "http://pbx.example.com:8088": false,
			"HTTP://pbx.example.com:8088": false, "https://user:pw@pbx.example.com": false, "https://pbx.example.com:8088/": false,
			"ftp://pbx.example.com": false, "https://pbx.example.com/?q=token": false},
		"PbxCaCert": {"": true, cert: true, strings.ReplaceAll(cert, "\n", " "): true, strings.ReplaceAll(cert, "\n", "\r\n"): true,
			cert + cert: false, "/etc/ssl/pbx.pem": false, "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n": false},
	} {
		re, err := regexp.Compile(fmt.Sprint(at(s.tpl, "Parameters."+param+".AllowedPattern")))
		for value, want := range accepts {
			s.expect(err == nil && re.MatchString(value) == want, "%s AllowedPattern %v accepts %q: %v, want %v", param, re, value, !want, want)
		}
	}
}
