// Package template_test checks the SAM template (template.yaml) and the
// Makefile target `sam build` uses, without AWS: each property the
// function relies on is asserted in its own subtest so that a broken one
// names itself.
package template_test

import (
	"flag"
	"fmt"
	"os"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const functionID = "RecordingSyncFunction"

var templatePath = flag.String("template", "template.yaml", "the SAM template to check")

// loadTemplate parses template.yaml into maps, slices and scalars, with
// CloudFormation short tags turned into their long form: !Ref X becomes
// map{"Ref": "X"}, !GetAtt A.B becomes map{"Fn::GetAtt": ["A", "B"]}, !Sub
// S becomes map{"Fn::Sub": "S"}, and so on.
func loadTemplate(t *testing.T) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(*templatePath)
	if err != nil {
		t.Fatal(err)
	}
	return parseTemplate(t, *templatePath, raw)
}

// parseTemplate is loadTemplate for a template's text, named name.
func parseTemplate(t *testing.T, name string, raw []byte) map[string]any {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s is not valid YAML (CloudFormation would refuse it): %v", name, err)
	}
	v, err := convert(&doc)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s is a %T, want a mapping", name, v)
	}
	return m
}

func convert(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			return nil, fmt.Errorf("line %d: %d documents, want 1", n.Line, len(n.Content))
		}
		return convert(n.Content[0])
	case yaml.AliasNode:
		return convert(n.Alias)
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return convertTagged(n)
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if _, dup := m[k.Value]; dup {
				return nil, fmt.Errorf("line %d: duplicate key %q", k.Line, k.Value)
			}
			val, err := convert(v)
			if err != nil {
				return nil, err
			}
			m[k.Value] = val
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			val, err := convert(c)
			if err != nil {
				return nil, err
			}
			s = append(s, val)
		}
		return s, nil
	default:
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		return v, nil
	}
}

// convertTagged turns a node tagged !Name into map{"Fn::Name": value}
// (map{"Ref": value} and map{"Condition": value} for those two).
func convertTagged(n *yaml.Node) (any, error) {
	name := strings.TrimPrefix(n.Tag, "!")
	key := "Fn::" + name
	if name == "Ref" || name == "Condition" {
		key = name
	}
	plain := *n
	plain.Tag = ""
	if n.Kind == yaml.ScalarNode {
		plain.Tag = "!!str"
	}
	v, err := convert(&plain)
	if err != nil {
		return nil, err
	}
	if s, ok := v.(string); ok && name == "GetAtt" {
		res, attr, found := strings.Cut(s, ".")
		if !found {
			return nil, fmt.Errorf("line %d: !GetAtt %q has no attribute", n.Line, s)
		}
		v = []any{res, attr}
	}
	return map[string]any{key: v}, nil
}

// at follows path (map keys, or decimal indexes into lists) from v.
func at(v any, path ...string) (any, error) {
	for i, p := range path {
		switch c := v.(type) {
		case map[string]any:
			next, ok := c[p]
			if !ok {
				return nil, fmt.Errorf("%s: no %q", strings.Join(path[:i], "."), p)
			}
			v = next
		case []any:
			n, err := strconv.Atoi(p)
			if err != nil || n < 0 || n >= len(c) {
				return nil, fmt.Errorf("%s: no item %q in a list of %d", strings.Join(path[:i], "."), p, len(c))
			}
			v = c[n]
		default:
			return nil, fmt.Errorf("%s is a %T, not a mapping or a list", strings.Join(path[:i], "."), v)
		}
	}
	return v, nil
}

// get is at, failing the test when the path is missing.
func get(t *testing.T, v any, path ...string) any {
	t.Helper()
	got, err := at(v, path...)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func getMap(t *testing.T, v any, path ...string) map[string]any {
	t.Helper()
	got := get(t, v, path...)
	m, ok := got.(map[string]any)
	if !ok {
		t.Fatalf("%s = %v (%T), want a mapping", strings.Join(path, "."), got, got)
	}
	return m
}

func getList(t *testing.T, v any, path ...string) []any {
	t.Helper()
	got := get(t, v, path...)
	l, ok := got.([]any)
	if !ok {
		t.Fatalf("%s = %v (%T), want a list", strings.Join(path, "."), got, got)
	}
	return l
}

// getInt reads a number, also written as a string as CloudFormation allows.
func getInt(t *testing.T, v any, path ...string) int {
	t.Helper()
	switch n := get(t, v, path...).(type) {
	case int:
		return n
	case string:
		i, err := strconv.Atoi(n)
		if err == nil {
			return i
		}
	}
	t.Fatalf("%s = %v, want an integer", strings.Join(path, "."), get(t, v, path...))
	return 0
}

// wantEqual compares scalars and lists of scalars by their printed form.
func wantEqual(t *testing.T, got, want any, what string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s = %v (%T), want %v", what, got, got, want)
	}
}

// isTrue accepts true and "true", as CloudFormation does.
func isTrue(v any) bool { return v == true || v == "true" }

// isFalse accepts false and "false".
func isFalse(v any) bool { return v == false || v == "false" }

func ref(name string) map[string]any { return map[string]any{"Ref": name} }

// getAttTarget returns the resource of a {"Fn::GetAtt": [resource, attr]}.
func getAttTarget(t *testing.T, v any, attr string) string {
	t.Helper()
	m, ok := v.(map[string]any)
	if ok {
		if ga, ok := m["Fn::GetAtt"].([]any); ok && len(ga) == 2 && ga[1] == attr {
			if res, ok := ga[0].(string); ok {
				return res
			}
		}
	}
	t.Fatalf("%v is not !GetAtt <resource>.%s", v, attr)
	return ""
}

// resourcesOfType returns the logical IDs of the resources of type typ.
func resourcesOfType(t *testing.T, tpl map[string]any, typ string) []string {
	t.Helper()
	var ids []string
	for id, r := range getMap(t, tpl, "Resources") {
		if rt, _ := at(r, "Type"); rt == typ {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// resource returns a resource, checking its type.
func resource(t *testing.T, tpl map[string]any, id, typ string) map[string]any {
	t.Helper()
	r := getMap(t, tpl, "Resources", id)
	wantEqual(t, r["Type"], typ, id+".Type")
	return r
}

// functionEvent returns the function's only event source of type typ.
func functionEvent(t *testing.T, tpl map[string]any, typ string) map[string]any {
	t.Helper()
	var found []map[string]any
	for _, ev := range getMap(t, tpl, "Resources", functionID, "Properties", "Events") {
		if et, _ := at(ev, "Type"); et == typ {
			found = append(found, getMap(t, ev, "Properties"))
		}
	}
	if len(found) != 1 {
		t.Fatalf("function has %d events of type %s, want 1", len(found), typ)
	}
	return found[0]
}

// functionProp reads a function property, falling back on Globals.Function.
func functionProp(t *testing.T, tpl map[string]any, name string) (any, bool) {
	t.Helper()
	if v, err := at(tpl, "Resources", functionID, "Properties", name); err == nil {
		return v, true
	}
	if v, err := at(tpl, "Globals", "Function", name); err == nil {
		return v, true
	}
	return nil, false
}

// statements returns every IAM statement of the template: the function's
// inline policies and every PolicyDocument.
func statements(t *testing.T, tpl map[string]any) []map[string]any {
	t.Helper()
	var out []map[string]any
	add := func(doc any, where string) {
		list, err := at(doc, "Statement")
		if err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		if single, ok := list.(map[string]any); ok {
			list = []any{single}
		}
		for i, s := range list.([]any) {
			m, ok := s.(map[string]any)
			if !ok {
				t.Fatalf("%s statement %d is a %T", where, i, s)
			}
			out = append(out, m)
		}
	}
	for id, r := range getMap(t, tpl, "Resources") {
		if doc, err := at(r, "Properties", "PolicyDocument"); err == nil {
			add(doc, id)
		}
	}
	if pols, err := at(tpl, "Resources", functionID, "Properties", "Policies"); err == nil {
		list, ok := pols.([]any)
		if !ok {
			list = []any{pols}
		}
		for _, p := range list {
			m, ok := p.(map[string]any)
			if branches, isIf := m["Fn::If"].([]any); ok && isIf && len(branches) == 3 {
				m, ok = branches[1].(map[string]any) // a conditional policy: check what it grants
			}
			if ok && m["Statement"] != nil {
				add(m, functionID+".Policies")
			}
		}
	}
	return out
}

// stringList returns an IAM Action (a string or a list) as a list.
func stringList(v any) []string {
	switch a := v.(type) {
	case string:
		return []string{a}
	case []any:
		out := make([]string, 0, len(a))
		for _, x := range a {
			out = append(out, fmt.Sprint(x))
		}
		return out
	}
	return nil
}

func TestTemplate(t *testing.T) {
	tpl := loadTemplate(t)
	fn := resource(t, tpl, functionID, "AWS::Serverless::Function")
	props := getMap(t, fn, "Properties")

	t.Run("Transform", func(t *testing.T) {
		wantEqual(t, get(t, tpl, "Transform"), "AWS::Serverless-2016-10-31", "Transform")
	})

	t.Run("Parameters", func(t *testing.T) {
		params := getMap(t, tpl, "Parameters")
		for _, p := range []string{"PbxBaseUrl", "PbxCredentialsSecretArn", "BucketName", "KeyPrefix", "KeyLayout",
			"KmsKeyArn", "BatchConcurrency", "MaxConcurrency", "MemorySize", "SubnetIds", "SecurityGroupIds"} {
			t.Run(p, func(t *testing.T) {
				pm, ok := params[p].(map[string]any)
				if !ok {
					t.Fatalf("parameter %s is missing", p)
				}
				if pm["Type"] == nil {
					t.Errorf("parameter %s has no Type", p)
				}
			})
		}
	})

	t.Run("MaxConcurrency allowed by SQS", func(t *testing.T) {
		// SQS event sources refuse a MaximumConcurrency below 2.
		if lowest := getInt(t, tpl, "Parameters", "MaxConcurrency", "MinValue"); lowest < 2 {
			t.Errorf("MaxConcurrency MinValue = %d, SQS wants at least 2", lowest)
		}
	})

	t.Run("Runtime", func(t *testing.T) { wantEqual(t, get(t, props, "Runtime"), "provided.al2023", "Runtime") })
	t.Run("Architectures", func(t *testing.T) {
		wantEqual(t, getList(t, props, "Architectures"), []any{"arm64"}, "Architectures")
	})
	t.Run("Handler", func(t *testing.T) { wantEqual(t, get(t, props, "Handler"), "bootstrap", "Handler") })
	t.Run("BuildMethod", func(t *testing.T) {
		wantEqual(t, get(t, fn, "Metadata", "BuildMethod"), "makefile", "Metadata.BuildMethod")
	})
	t.Run("LogFormat", func(t *testing.T) {
		wantEqual(t, get(t, props, "LoggingConfig", "LogFormat"), "JSON", "LoggingConfig.LogFormat")
	})

	t.Run("Environment", func(t *testing.T) {
		vars := getMap(t, props, "Environment", "Variables")
		for _, v := range []string{"PBX_BASE_URL", "PBX_CREDENTIALS_SECRET", "RECORDINGS_BUCKET", "RECORDINGS_KEY_TEMPLATE"} {
			if _, ok := vars[v]; !ok {
				t.Errorf("environment has no %s", v)
			}
		}
		// The secret itself never goes into the environment: only its ARN.
		for _, v := range []string{"PBX_CLIENT_SECRET", "PBX_CLIENT_ID"} {
			if _, ok := vars[v]; ok {
				t.Errorf("environment has %s; credentials belong in Secrets Manager", v)
			}
		}
		wantEqual(t, vars["PBX_CREDENTIALS_SECRET"], ref("PbxCredentialsSecretArn"), "PBX_CREDENTIALS_SECRET")
		wantEqual(t, vars["PBX_BASE_URL"], ref("PbxBaseUrl"), "PBX_BASE_URL")
		wantEqual(t, vars["RECORDINGS_KEY_TEMPLATE"], map[string]any{"Fn::Sub": "${KeyPrefix}${KeyLayout}"}, "RECORDINGS_KEY_TEMPLATE")
		if key, _ := vars["TOKEN_CACHE_KEY"].(string); key == "" || strings.HasPrefix(key, "recordings/") {
			t.Errorf("TOKEN_CACHE_KEY = %v, want a key outside the recordings", vars["TOKEN_CACHE_KEY"])
		}
	})

	t.Run("VpcConfig conditional", func(t *testing.T) {
		vpc := getMap(t, props, "VpcConfig")
		cond := getList(t, vpc, "Fn::If")
		if len(cond) != 3 {
			t.Fatalf("VpcConfig !If has %d items, want 3", len(cond))
		}
		name, _ := cond[0].(string)
		if _, err := at(tpl, "Conditions", name); err != nil {
			t.Errorf("VpcConfig condition %q is not defined: %v", name, err)
		}
		wantEqual(t, get(t, cond[1], "SubnetIds"), ref("SubnetIds"), "VpcConfig.SubnetIds")
		wantEqual(t, get(t, cond[1], "SecurityGroupIds"), ref("SecurityGroupIds"), "VpcConfig.SecurityGroupIds")
		wantEqual(t, cond[2], ref("AWS::NoValue"), "VpcConfig without a VPC")
	})

	t.Run("SQS event", func(t *testing.T) {
		ev := functionEvent(t, tpl, "SQS")
		wantEqual(t, getList(t, ev, "FunctionResponseTypes"), []any{"ReportBatchItemFailures"}, "FunctionResponseTypes")
		wantEqual(t, get(t, ev, "ScalingConfig", "MaximumConcurrency"), ref("MaxConcurrency"), "ScalingConfig.MaximumConcurrency")
		resource(t, tpl, getAttTarget(t, get(t, ev, "Queue"), "Arn"), "AWS::SQS::Queue")
	})

	t.Run("queue VisibilityTimeout", func(t *testing.T) {
		queue := getAttTarget(t, get(t, functionEvent(t, tpl, "SQS"), "Queue"), "Arn")
		timeout := 3 // Lambda's default
		if v, ok := functionProp(t, tpl, "Timeout"); ok {
			n, err := strconv.Atoi(fmt.Sprint(v))
			if err != nil {
				t.Fatalf("function Timeout = %v, want a number", v)
			}
			timeout = n
		}
		vis := getInt(t, resource(t, tpl, queue, "AWS::SQS::Queue"), "Properties", "VisibilityTimeout")
		if vis < 6*timeout {
			t.Errorf("%s VisibilityTimeout = %d s, want at least 6 x the function Timeout (%d s) = %d s", queue, vis, timeout, 6*timeout)
		}
	})

	t.Run("RedrivePolicy", func(t *testing.T) {
		queue := getAttTarget(t, get(t, functionEvent(t, tpl, "SQS"), "Queue"), "Arn")
		rp := getMap(t, tpl, "Resources", queue, "Properties", "RedrivePolicy")
		dlq := getAttTarget(t, get(t, rp, "deadLetterTargetArn"), "Arn")
		resource(t, tpl, dlq, "AWS::SQS::Queue")
		if dlq == queue {
			t.Errorf("the queue is its own dead-letter queue")
		}
		if n := getInt(t, rp, "maxReceiveCount"); n < 1 {
			t.Errorf("maxReceiveCount = %d, want at least 1", n)
		}
	})

	t.Run("EventBridgeRule event", func(t *testing.T) {
		ev := functionEvent(t, tpl, "EventBridgeRule")
		if p := getMap(t, ev, "Pattern"); len(p) == 0 {
			t.Error("Pattern is empty: the rule would match nothing")
		}
		rp := getMap(t, ev, "RetryPolicy")
		if _, ok := rp["MaximumRetryAttempts"]; !ok {
			t.Error("RetryPolicy has no MaximumRetryAttempts")
		}
		dlq := getAttTarget(t, get(t, ev, "DeadLetterConfig", "Arn"), "Arn")
		resource(t, tpl, dlq, "AWS::SQS::Queue")
	})

	t.Run("bucket", func(t *testing.T) {
		buckets := resourcesOfType(t, tpl, "AWS::S3::Bucket")
		if len(buckets) != 1 {
			t.Fatalf("buckets %v, want 1", buckets)
		}
		bp := getMap(t, tpl, "Resources", buckets[0], "Properties")
		t.Run("encryption", func(t *testing.T) {
			sse := getList(t, bp, "BucketEncryption", "ServerSideEncryptionConfiguration")
			if len(sse) == 0 {
				t.Fatal("no ServerSideEncryptionConfiguration rule")
			}
			byDefault := get(t, sse[0], "ServerSideEncryptionByDefault")
			branches := []any{byDefault}
			if m, ok := byDefault.(map[string]any); ok && m["Fn::If"] != nil {
				branches = getList(t, m, "Fn::If")[1:] // SSE-KMS with a key, SSE-S3 without
			}
			for _, b := range branches {
				algo, _ := get(t, b, "SSEAlgorithm").(string)
				if !slices.Contains([]string{"AES256", "aws:kms", "aws:kms:dsse"}, algo) {
					t.Errorf("SSEAlgorithm = %q", algo)
				}
			}
		})
		t.Run("public access block", func(t *testing.T) {
			for _, flag := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
				if v, err := at(bp, "PublicAccessBlockConfiguration", flag); err != nil || !isTrue(v) {
					t.Errorf("PublicAccessBlockConfiguration.%s = %v, %v; want true", flag, v, err)
				}
			}
		})
		t.Run("abort incomplete multipart uploads", func(t *testing.T) {
			ok := false
			for _, r := range getList(t, bp, "LifecycleConfiguration", "Rules") {
				days, err := at(r, "AbortIncompleteMultipartUpload", "DaysAfterInitiation")
				status, _ := at(r, "Status")
				if err == nil && status == "Enabled" && fmt.Sprint(days) != "0" {
					ok = true
				}
			}
			if !ok {
				t.Error("no enabled lifecycle rule with AbortIncompleteMultipartUpload.DaysAfterInitiation")
			}
		})
		t.Run("policy denies insecure transport", func(t *testing.T) {
			ok := false
			for _, id := range resourcesOfType(t, tpl, "AWS::S3::BucketPolicy") {
				if b, _ := at(tpl, "Resources", id, "Properties", "Bucket"); fmt.Sprint(b) != fmt.Sprint(ref(buckets[0])) {
					continue
				}
				for _, s := range getList(t, tpl, "Resources", id, "Properties", "PolicyDocument", "Statement") {
					effect, _ := at(s, "Effect")
					secure, err := at(s, "Condition", "Bool", "aws:SecureTransport")
					if effect == "Deny" && err == nil && isFalse(secure) {
						ok = true
					}
				}
			}
			if !ok {
				t.Errorf("no bucket policy on %s denies aws:SecureTransport false", buckets[0])
			}
		})
	})

	t.Run("IAM", func(t *testing.T) {
		stmts := statements(t, tpl)
		allowed := map[string]bool{}
		for _, s := range stmts {
			if s["Effect"] != "Allow" {
				continue
			}
			if _, ok := s["NotAction"]; ok {
				t.Errorf("Allow statement %v uses NotAction", s["Sid"])
			}
			for _, a := range stringList(s["Action"]) {
				allowed[a] = true
				if a == "*" || strings.EqualFold(a, "s3:*") || strings.HasSuffix(a, ":*") {
					t.Errorf("Allow statement %v allows %q", s["Sid"], a)
				}
			}
		}
		for _, a := range []string{"s3:AbortMultipartUpload", "s3:PutObject", "s3:GetObject", "secretsmanager:GetSecretValue"} {
			if !allowed[a] {
				t.Errorf("no Allow statement grants %s", a)
			}
		}
	})

	t.Run("least privilege: writes only under the prefix and the token object", func(t *testing.T) {
		for _, st := range statements(t, tpl) {
			actions := stringList(st["Action"])
			if st["Effect"] != "Allow" || !slices.ContainsFunc(actions, func(a string) bool {
				return a == "s3:PutObject" || a == "s3:AbortMultipartUpload"
			}) {
				continue
			}
			for _, res := range leafStrings(st["Resource"]) {
				if !strings.HasSuffix(res, "/${KeyPrefix}*") && !strings.HasSuffix(res, "/.recording-sync/pbx-token.json") {
					t.Errorf("statement %v writes to %s: want only the key prefix or the token object", st["Sid"], res)
				}
				if strings.Contains(res, ".recording-sync/") && slices.Contains(actions, "s3:AbortMultipartUpload") {
					t.Errorf("statement %v: the token object needs no multipart permissions", st["Sid"])
				}
			}
		}
	})

	t.Run("KMS grant only through S3, for this bucket", func(t *testing.T) {
		found := false
		for _, st := range statements(t, tpl) {
			if st["Effect"] != "Allow" || !slices.Contains(stringList(st["Action"]), "kms:GenerateDataKey") {
				continue
			}
			found = true
			wantEqual(t, get(t, st, "Condition", "StringEquals", "kms:ViaService"),
				map[string]any{"Fn::Sub": "s3.${AWS::Region}.amazonaws.com"}, "kms:ViaService")
			// S3's encryption context is the object's ARN, or the bucket's
			// when the bucket uses an S3 Bucket Key.
			arns := leafStrings(get(t, st, "Condition", "StringLike", "kms:EncryptionContext:aws:s3:arn"))
			for _, want := range []string{"arn:${AWS::Partition}:s3:::${Bucket}", "arn:${AWS::Partition}:s3:::${Bucket}/*"} {
				if !slices.Contains(arns, want) {
					t.Errorf("statement %v: kms:EncryptionContext:aws:s3:arn %v lacks %s", st["Sid"], arns, want)
				}
			}
			for _, a := range arns {
				if !strings.HasPrefix(a, "arn:${AWS::Partition}:s3:::${Bucket}") {
					t.Errorf("statement %v: encryption context %s is not this bucket", st["Sid"], a)
				}
			}
		}
		if !found {
			t.Fatal("no statement grants kms:GenerateDataKey")
		}
	})

	t.Run("log groups with retention", func(t *testing.T) {
		ret := getMap(t, tpl, "Parameters", "LogRetentionDays")
		accepted := []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
		allowed := getList(t, ret, "AllowedValues")
		for _, v := range allowed {
			if n, err := strconv.Atoi(fmt.Sprint(v)); err != nil || !slices.Contains(accepted, n) {
				t.Errorf("LogRetentionDays allows %v, which CloudWatch Logs refuses", v)
			}
		}
		if def := getInt(t, ret, "Default"); !slices.ContainsFunc(allowed, func(v any) bool { return fmt.Sprint(v) == strconv.Itoa(def) }) {
			t.Errorf("LogRetentionDays Default %d is not among its AllowedValues", def)
		}
		fns := resourcesOfType(t, tpl, "AWS::Serverless::Function")
		if len(fns) == 0 {
			t.Fatal("no function")
		}
		for _, id := range fns {
			p := getMap(t, tpl, "Resources", id, "Properties")
			lg, ok := get(t, p, "LoggingConfig", "LogGroup").(map[string]any)
			name, _ := lg["Ref"].(string)
			if !ok || name == "" {
				t.Errorf("%s LoggingConfig.LogGroup = %v, want !Ref to its log group", id, lg)
				continue
			}
			gp := getMap(t, resource(t, tpl, name, "AWS::Logs::LogGroup"), "Properties")
			wantEqual(t, gp["RetentionInDays"], ref("LogRetentionDays"), name+".RetentionInDays")
			fnName, _ := get(t, p, "FunctionName", "Fn::Sub").(string)
			wantEqual(t, get(t, gp, "LogGroupName"), map[string]any{"Fn::Sub": "/aws/lambda/" + fnName}, name+".LogGroupName")
		}
	})

	t.Run("only the functions touch their state", func(t *testing.T) {
		key, _ := get(t, props, "Environment", "Variables", "TOKEN_CACHE_KEY").(string)
		if !strings.HasPrefix(key, ".recording-sync/") {
			t.Errorf("TOKEN_CACHE_KEY = %q, want it under .recording-sync/, the folder the bucket policy keeps to the functions", key)
		}
		var deny map[string]any
		for _, id := range resourcesOfType(t, tpl, "AWS::S3::BucketPolicy") {
			for _, s := range getList(t, tpl, "Resources", id, "Properties", "PolicyDocument", "Statement") {
				if res, _ := at(s, "Resource"); slices.Contains(leafStrings(res), "${RecordingsBucket.Arn}/.recording-sync/*") {
					deny, _ = s.(map[string]any)
				}
			}
		}
		if deny == nil {
			t.Fatal("no bucket policy statement on ${RecordingsBucket.Arn}/.recording-sync/*")
		}
		wantEqual(t, deny["Effect"], "Deny", "state statement Effect")
		wantEqual(t, deny["Principal"], "*", "state statement Principal")
		if _, ok := deny["NotPrincipal"]; ok {
			t.Error("state statement uses NotPrincipal; want a Condition on aws:PrincipalArn")
		}
		for _, a := range []string{"s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"} {
			if !slices.ContainsFunc(stringList(deny["Action"]), func(p string) bool {
				ok, _ := path.Match(strings.ToLower(p), strings.ToLower(a))
				return ok
			}) {
				t.Errorf("state statement does not deny %s: %v", a, deny["Action"])
			}
		}
		// Every excepted principal is the role of a function of this stack,
		// and the copy's is one of them.
		roles := getList(t, deny, "Condition", "ArnNotEquals", "aws:PrincipalArn")
		var excepted []string
		for _, r := range roles {
			excepted = append(excepted, getAttTarget(t, r, "Arn"))
		}
		for _, role := range excepted {
			fn, ok := strings.CutSuffix(role, "Role")
			if !ok || !slices.Contains(resourcesOfType(t, tpl, "AWS::Serverless::Function"), fn) {
				t.Errorf("the state folder is open to %s, which is not a function's role", role)
			}
		}
		if !slices.Contains(excepted, functionID+"Role") {
			t.Errorf("the state folder is closed to %sRole, which keeps the PBX token there", functionID)
		}
	})

	t.Run("dead-letter queue alarm", func(t *testing.T) {
		queue := getAttTarget(t, get(t, functionEvent(t, tpl, "SQS"), "Queue"), "Arn")
		dlq := getAttTarget(t, get(t, tpl, "Resources", queue, "Properties", "RedrivePolicy", "deadLetterTargetArn"), "Arn")
		watched := map[string]bool{}
		for _, id := range resourcesOfType(t, tpl, "AWS::CloudWatch::Alarm") {
			ap := getMap(t, tpl, "Resources", id, "Properties")
			if ap["Namespace"] != "AWS/SQS" {
				continue
			}
			for _, d := range getList(t, ap, "Dimensions") {
				if name, _ := at(d, "Name"); name == "QueueName" {
					watched[getAttTarget(t, get(t, d, "Value"), "QueueName")] = true
				}
			}
		}
		if !watched[dlq] {
			t.Errorf("no alarm watches the dead-letter queue %s (watched: %v)", dlq, watched)
		}
	})

	t.Run("Outputs", func(t *testing.T) {
		for _, o := range []string{"QueueUrl", "BucketName", "FunctionName"} {
			if _, err := at(tpl, "Outputs", o, "Value"); err != nil {
				t.Errorf("output %s: %v", o, err)
			}
		}
	})
}

// makeVar matches a Makefile assignment: NAME := value, ?=, = or +=.
var makeVar = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)\s*(?::=|\?=|\+=|=)\s*(.*)$`)

// TestMakefileBuildTarget checks the targets `sam build` runs for each
// function (BuildMethod: makefile), with the Makefile's variables expanded.
func TestMakefileBuildTarget(t *testing.T) {
	for id, dir := range map[string]string{
		functionID:  "./functions/recording-sync",
		webhookID:   "./functions/pbx-webhook",
		reconcileID: "./functions/recording-reconcile",
	} {
		target := "build-" + id
		cmd := makeRecipe(t, target)
		for _, want := range []string{"-tags lambda.norpc", "CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64", "$(ARTIFACTS_DIR)/bootstrap", dir} {
			if !strings.Contains(cmd, want) {
				t.Errorf("%s recipe\n%s\nlacks %q", target, cmd, want)
			}
		}
	}
}

// makeRecipe returns the recipe of target in the Makefile, with the
// Makefile's own variables expanded (ARTIFACTS_DIR comes from sam build and
// stays as it is).
func makeRecipe(t *testing.T, target string) string {
	t.Helper()
	raw, err := os.ReadFile("Makefile")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	var recipe []string
	in := false
	for _, line := range strings.Split(string(raw), "\n") {
		switch {
		case strings.HasPrefix(line, target+":"):
			in = true
		case in && strings.HasPrefix(line, "\t"):
			recipe = append(recipe, strings.TrimSpace(line))
		case in:
			in = false
		}
		if m := makeVar.FindStringSubmatch(line); m != nil && !strings.HasPrefix(line, "\t") {
			vars[m[1]] = m[2]
		}
	}
	if len(recipe) == 0 {
		t.Fatalf("Makefile has no %s target with a recipe", target)
	}
	ref := regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)
	cmd := strings.Join(recipe, "\n")
	for range 10 {
		cmd = ref.ReplaceAllStringFunc(cmd, func(s string) string {
			if v, ok := vars[ref.FindStringSubmatch(s)[1]]; ok {
				return v
			}
			return s
		})
	}
	return cmd
}

// leafStrings returns every string inside v (each branch of an Fn::If, the
// text of an Fn::Sub), so that a check sees all the values a resource can take.
func leafStrings(v any) []string {
	switch v := v.(type) {
	case string:
		if v == "AWS::NoValue" {
			return nil
		}
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, leafStrings(e)...)
		}
		return out
	case map[string]any:
		var out []string
		for k, e := range v {
			if k == "Fn::If" {
				if l, ok := e.([]any); ok && len(l) == 3 {
					e = l[1:] // the condition's name is not a value
				}
			}
			if k == "Ref" || k == "Fn::GetAtt" {
				continue
			}
			out = append(out, leafStrings(e)...)
		}
		return out
	}
	return nil
}

// TestTemplateRequiresHTTPSPBX: the client secret travels in the get_token
// body, so the deployed function never talks to a plain-HTTP PBX. The
// template neither sets PBX_ALLOW_HTTP anywhere nor accepts an http:// base URL.
func TestTemplateRequiresHTTPSPBX(t *testing.T) {
	raw, err := os.ReadFile(*templatePath)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "PBX_ALLOW_HTTP") {
		t.Errorf("%s mentions PBX_ALLOW_HTTP; plain HTTP is for local use only", *templatePath)
	}
	tpl := loadTemplate(t)
	pattern, _ := get(t, tpl, "Parameters", "PbxBaseUrl", "AllowedPattern").(string)
	re, err := regexp.Compile(pattern)
	if err != nil {
		t.Fatalf("PbxBaseUrl AllowedPattern %q: %v", pattern, err)
	}
	for url, want := range map[string]bool{
		"https://pbx.example.com:8088":     true,
		"https://pbx.example.com/base":     true,
		"http://pbx.example.com:8088":      false,
		"HTTP://pbx.example.com:8088":      false,
		"https://user:pw@pbx.example.com":  false,
		"https://pbx.example.com:8088/":    false,
		"ftp://pbx.example.com":            false,
		"https://pbx.example.com/?q=token": false,
	} {
		if got := re.MatchString(url); got != want {
			t.Errorf("PbxBaseUrl AllowedPattern matches %q = %v, want %v", url, got, want)
		}
	}
}

// minGo is the oldest Go release the modules may be built with: the first
// without the standard-library vulnerabilities known when it was set.
const minGo = "1.26.8"

// TestGoModRequiresPatchedGo checks that every go.mod names a patch release
// no older than minGo on its go line, which the go command enforces (with
// GOTOOLCHAIN=auto it fetches that release; with local it refuses to
// build), so that a build cannot pick an older Go.
func TestGoModRequiresPatchedGo(t *testing.T) {
	for _, path := range []string{"go.mod", "tools/go.mod", "tools/lint/go.mod"} {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`(?m)^go (\d+)\.(\d+)\.(\d+)\s*$`).FindStringSubmatch(string(raw))
		if m == nil {
			t.Errorf("%s: no go line naming a patch release (go X.Y.Z)", path)
			continue
		}
		if goVersionLess(m[1:], strings.Split(minGo, ".")) {
			t.Errorf("%s: go %s.%s.%s, want at least %s", path, m[1], m[2], m[3], minGo)
		}
	}
}

// goVersionLess compares two versions given as their numeric parts.
func goVersionLess(a, b []string) bool {
	for i := range min(len(a), len(b)) {
		x, _ := strconv.Atoi(a[i])
		y, _ := strconv.Atoi(b[i])
		if x != y {
			return x < y
		}
	}
	return len(a) < len(b)
}
