package template_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

const reconcileID = "RecordingReconcileFunction"

// reconcileStatements returns the reconciler's inline IAM statements,
// conditional ones (the KMS grant) included.
func reconcileStatements(t *testing.T, fn map[string]any) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, p := range getList(t, fn, "Properties", "Policies") {
		m, _ := p.(map[string]any)
		if branches, ok := m["Fn::If"].([]any); ok && len(branches) == 3 {
			m, _ = branches[1].(map[string]any)
		}
		for _, s := range getList(t, m, "Statement") {
			out = append(out, s.(map[string]any))
		}
	}
	return out
}

func TestReconcileTemplate(t *testing.T) {
	tpl := loadTemplate(t)
	fn := resource(t, tpl, reconcileID, "AWS::Serverless::Function")
	props := getMap(t, fn, "Properties")

	t.Run("packaged like the copy function", func(t *testing.T) {
		wantEqual(t, get(t, props, "Runtime"), "provided.al2023", "Runtime")
		wantEqual(t, getList(t, props, "Architectures"), []any{"arm64"}, "Architectures")
		wantEqual(t, get(t, props, "Handler"), "bootstrap", "Handler")
		wantEqual(t, get(t, fn, "Metadata", "BuildMethod"), "makefile", "Metadata.BuildMethod")
	})

	t.Run("schedule", func(t *testing.T) {
		wantEqual(t, get(t, tpl, "Parameters", "ReconcileSchedule", "Default"), "rate(1 hour)", "ReconcileSchedule default")
		var found bool
		for _, ev := range getMap(t, props, "Events") {
			if typ, _ := at(ev, "Type"); typ == "Schedule" {
				wantEqual(t, get(t, ev, "Properties", "Schedule"), ref("ReconcileSchedule"), "Schedule")
				found = true
			}
		}
		if !found {
			t.Error("no Schedule event")
		}
	})

	t.Run("environment", func(t *testing.T) {
		vars := getMap(t, props, "Environment", "Variables")
		for _, v := range []string{"PBX_BASE_URL", "PBX_CREDENTIALS_SECRET", "RECORDINGS_BUCKET", "RECORDINGS_KEY_TEMPLATE",
			"TOKEN_CACHE_KEY", "RECORDINGS_QUEUE_URL", "RECONCILE_LOOKBACK", "RECONCILE_SETTLE", "RECONCILE_REQUEUE_AFTER"} {
			if _, ok := vars[v]; !ok {
				t.Errorf("environment has no %s", v)
			}
		}
		wantEqual(t, vars["RECORDINGS_QUEUE_URL"], ref("RecordingQueue"), "RECORDINGS_QUEUE_URL")
		wantEqual(t, vars["RECORDINGS_KEY_TEMPLATE"], map[string]any{"Fn::Sub": "${KeyPrefix}${KeyLayout}"}, "RECORDINGS_KEY_TEMPLATE")
		copyVars := getMap(t, tpl, "Resources", functionID, "Properties", "Environment", "Variables")
		wantEqual(t, vars["TOKEN_CACHE_KEY"], copyVars["TOKEN_CACHE_KEY"], "TOKEN_CACHE_KEY (one shared token)")
		for _, v := range []string{"PBX_CLIENT_SECRET", "PBX_CLIENT_ID", "PBX_ALLOW_HTTP"} {
			if _, ok := vars[v]; ok {
				t.Errorf("environment has %s", v)
			}
		}
	})

	t.Run("least privilege", func(t *testing.T) {
		stmts := reconcileStatements(t, fn)
		granted := map[string][]string{}
		for _, s := range stmts {
			if s["Effect"] != "Allow" {
				continue
			}
			res := strings.Join(leafStrings(s["Resource"]), " ")
			for _, a := range stringList(s["Action"]) {
				if strings.Contains(a, "*") {
					t.Errorf("wildcard action %s", a)
				}
				granted[a] = append(granted[a], res)
				// ListBucket on the bucket itself, unconditioned: a GetObject
				// of a missing state or token object carries no s3:prefix, and
				// S3 answers it 404 only when ListBucket applies (else 403).
				// It reveals key names, nothing of the objects.
				if a == "s3:ListBucket" {
					if c, ok := s["Condition"]; ok {
						t.Errorf("s3:ListBucket has condition %v: a missing state object would answer 403", c)
					}
					if strings.Contains(res, "/") {
						t.Errorf("s3:ListBucket on %s, want the bucket", res)
					}
				}
			}
		}
		for _, a := range []string{"s3:GetObject", "s3:PutObject"} {
			for _, r := range granted[a] {
				for _, one := range strings.Fields(r) {
					if !strings.HasSuffix(one, "/.recording-sync/pbx-token.json") && !strings.HasSuffix(one, "/.recording-sync/reconcile-state.json") {
						t.Errorf("%s on %s: only the token and state objects", a, one)
					}
				}
			}
		}
		wantEqual(t, slices.Sorted(maps.Keys(granted)), []string{"kms:Decrypt", "kms:GenerateDataKey", "s3:GetObject", "s3:ListBucket", "s3:PutObject", "secretsmanager:GetSecretValue", "sqs:SendMessage"}, "actions")
		for _, s := range stmts {
			if slices.Contains(stringList(s["Action"]), "sqs:SendMessage") {
				wantEqual(t, getAttTarget(t, s["Resource"], "Arn"), "RecordingQueue", "sqs:SendMessage resource")
			}
			if slices.Contains(stringList(s["Action"]), "secretsmanager:GetSecretValue") {
				wantEqual(t, s["Resource"], ref("PbxCredentialsSecretArn"), "secret")
			}
		}
	})

	t.Run("alarms and output", func(t *testing.T) {
		// The failed-run alarm watches the function's Lambda Errors and its
		// ReconcileRunsFailed; the lost-recordings one ReconcileRecordingsLost
		// (template_metrics_test.go checks the metrics and thresholds).
		refs, _ := alarmMetrics(t, tpl, "ReconcileFailedAlarm")
		var watched []string
		for _, r := range refs {
			watched = append(watched, refKey(r.namespace, r.name, r.dims))
		}
		slices.Sort(watched)
		wantEqual(t, watched, []string{
			"${MetricsNamespace} ReconcileRunsFailed function=${" + reconcileID + "}",
			"AWS/Lambda Errors FunctionName=${" + reconcileID + "}",
		}, "ReconcileFailedAlarm metrics")
		lost := resource(t, tpl, "ReconcileLostAlarm", "AWS::CloudWatch::Alarm")
		wantEqual(t, get(t, lost, "Properties", "MetricName"), "ReconcileRecordingsLost", "lost-recordings alarm metric")
		wantEqual(t, get(t, tpl, "Outputs", "ReconcileFunctionName", "Value"), ref(reconcileID), "output")
	})

	t.Run("state folder, logs and KMS", func(t *testing.T) {
		var named bool
		for _, st := range statements(t, tpl) {
			if st["Sid"] == "OnlyTheFunctionsTouchTheirState" {
				for _, p := range getList(t, st, "Condition", "ArnNotEquals", "aws:PrincipalArn") {
					named = named || getAttTarget(t, p, "Arn") == reconcileID+"Role"
				}
			}
		}
		if !named {
			t.Error("the bucket policy does not let the reconciler's role into .recording-sync/")
		}
		wantEqual(t, get(t, props, "LoggingConfig", "LogGroup"), ref("RecordingReconcileLogGroup"), "LoggingConfig.LogGroup")
		group := resource(t, tpl, "RecordingReconcileLogGroup", "AWS::Logs::LogGroup")
		wantEqual(t, get(t, group, "Properties", "RetentionInDays"), ref("LogRetentionDays"), "log retention")
		for _, st := range reconcileStatements(t, fn) {
			if slices.Contains(stringList(st["Action"]), "kms:Decrypt") {
				get(t, st, "Condition", "StringEquals", "kms:ViaService")
			}
		}
	})
}
