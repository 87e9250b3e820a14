package template_test

import (
	"slices"
	"testing"
)

const webhookID = "PbxWebhookFunction"

// TestWebhookTemplate checks the webhook function: built like the copy
// function, public URL with the signature as authentication, bounded
// concurrency, and only the two permissions it needs.
func TestWebhookTemplate(t *testing.T) {
	tpl := loadTemplate(t)
	fn := resource(t, tpl, webhookID, "AWS::Serverless::Function")
	props := getMap(t, fn, "Properties")

	t.Run("built like the copy function", func(t *testing.T) {
		wantEqual(t, get(t, fn, "Metadata", "BuildMethod"), "makefile", "Metadata.BuildMethod")
		wantEqual(t, props["Runtime"], "provided.al2023", "Runtime")
		wantEqual(t, props["Handler"], "bootstrap", "Handler")
		wantEqual(t, props["Architectures"], []any{"arm64"}, "Architectures")
	})
	t.Run("Function URL without IAM auth", func(t *testing.T) {
		wantEqual(t, get(t, props, "FunctionUrlConfig", "AuthType"), "NONE", "FunctionUrlConfig.AuthType")
		var found bool
		for _, id := range resourcesOfType(t, tpl, "AWS::Lambda::Permission") {
			p := getMap(t, tpl, "Resources", id, "Properties")
			if slices.Equal(stringList(p["Action"]), []string{"lambda:InvokeFunction"}) && isTrue(p["InvokedViaFunctionUrl"]) {
				wantEqual(t, p["FunctionName"], ref(webhookID), id+".FunctionName")
				found = true
			}
		}
		if !found {
			t.Error("no lambda:InvokeFunction permission limited to calls through the function URL")
		}
	})
	t.Run("WebhookUrl output", func(t *testing.T) {
		if target := getAttTarget(t, get(t, tpl, "Outputs", "WebhookUrl", "Value"), "FunctionUrl"); target != webhookID+"Url" {
			t.Errorf("WebhookUrl is the URL of %s, want %sUrl (SAM's name for the function's URL)", target, webhookID)
		}
	})
	t.Run("reserved concurrency", func(t *testing.T) {
		wantEqual(t, props["ReservedConcurrentExecutions"], ref("WebhookConcurrency"), "ReservedConcurrentExecutions")
		if d := getInt(t, tpl, "Parameters", "WebhookConcurrency", "Default"); d != 10 {
			t.Errorf("WebhookConcurrency default %d, want 10", d)
		}
	})
	t.Run("environment", func(t *testing.T) {
		env := getMap(t, props, "Environment", "Variables")
		wantEqual(t, env["RECORDINGS_QUEUE_URL"], ref("RecordingQueue"), "RECORDINGS_QUEUE_URL")
		wantEqual(t, env["PBX_WEBHOOK_SECRET_ID"], ref("PbxWebhookSecretArn"), "PBX_WEBHOOK_SECRET_ID")
		for _, name := range []string{"PBX_WEBHOOK_SECRET", "PBX_CREDENTIALS_SECRET"} {
			if _, ok := env[name]; ok {
				t.Errorf("the public function reads only its own secret from Secrets Manager, yet has %s", name)
			}
		}
		reconcileEnv := getMap(t, tpl, "Resources", "RecordingReconcileFunction", "Properties", "Environment", "Variables")
		wantEqual(t, env["RECONCILE_LOOKBACK"], reconcileEnv["RECONCILE_LOOKBACK"], "RECONCILE_LOOKBACK (the reconciler's)")
	})
	t.Run("webhook secret parameter", func(t *testing.T) {
		p := getMap(t, tpl, "Parameters", "PbxWebhookSecretArn")
		wantEqual(t, p["AllowedPattern"], get(t, tpl, "Parameters", "PbxCredentialsSecretArn", "AllowedPattern"), "PbxWebhookSecretArn.AllowedPattern")
		if _, ok := p["Default"]; ok {
			t.Error("PbxWebhookSecretArn has a default: the webhook has no secret without it")
		}
	})
	t.Run("log group with retention", func(t *testing.T) {
		group, ok := get(t, props, "LoggingConfig", "LogGroup").(map[string]any)
		if !ok {
			t.Fatal("LoggingConfig.LogGroup is not a Ref to a log group")
		}
		id, _ := group["Ref"].(string)
		lg := resource(t, tpl, id, "AWS::Logs::LogGroup")
		wantEqual(t, get(t, lg, "Properties", "RetentionInDays"), ref("LogRetentionDays"), id+".RetentionInDays")
	})
	t.Run("least privilege", func(t *testing.T) {
		var got []string
		for _, p := range getList(t, props, "Policies") {
			for _, s := range getList(t, p, "Statement") {
				if get(t, s, "Effect") != "Allow" {
					continue
				}
				for _, a := range stringList(get(t, s, "Action")) {
					got = append(got, a)
					res := get(t, s, "Resource")
					switch a {
					case "sqs:SendMessage":
						if getAttTarget(t, res, "Arn") != "RecordingQueue" {
							t.Errorf("sqs:SendMessage on %v, want the recording queue only", res)
						}
					case "secretsmanager:GetSecretValue":
						wantEqual(t, res, ref("PbxWebhookSecretArn"), "secretsmanager:GetSecretValue resource")
					}
				}
			}
		}
		slices.Sort(got)
		if want := []string{"secretsmanager:GetSecretValue", "sqs:SendMessage"}; !slices.Equal(got, want) {
			t.Errorf("the webhook may %v, want exactly %v", got, want)
		}
	})
}

// TestOnlyTheWebhookReadsItsSecret: the webhook's secret is named by the
// webhook function alone, and the webhook function names no other secret.
func TestOnlyTheWebhookReadsItsSecret(t *testing.T) {
	tpl := loadTemplate(t)
	for id, res := range getMap(t, tpl, "Resources") {
		mentions := refersTo(res, "PbxWebhookSecretArn")
		if mentions != (id == webhookID) {
			t.Errorf("%s refers to PbxWebhookSecretArn: %v, want %v", id, mentions, id == webhookID)
		}
		if id == webhookID && refersTo(res, "PbxCredentialsSecretArn") {
			t.Errorf("the webhook function refers to the PBX API credentials secret")
		}
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
