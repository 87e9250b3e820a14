// Package template_test checks what a reviewer of template.yaml cannot see
// at a glance. Schema and intrinsic functions are cfn-lint's job (make
// lint); literal values are the template's own to show. Each invariant
// below is one check of invariants, run on the template by
// TestTemplateInvariants and shown able to fail by TestTemplateMutations:
//
//   - LeastPrivilege: each function may do exactly what leastPrivilege lists, in both branches of every !If;
//     only Allow statements; KMS only through S3 in this region for this bucket; no credentials in the environment.
//   - WebhookSecret: only the webhook names its secret; it never names the PBX API credentials; it judges replays
//     by the reconciler's lookback.
//   - StateObjects: every TOKEN_CACHE_KEY is the one shared token object in the stack's own folder; the grants name
//     exactly the state objects each function uses (the reconciler's as pkg/config derives it); the bucket policy
//     keeps the folder to exactly those functions' roles.
//   - QueueSenders: the recording queue's policy denies SendMessage to all but the roles granted it.
//   - QueueOutlastsConsumer: a queue's visibility timeout is at least 6 x the timeout of the function it feeds.
//   - DeadLetters: every dead-letter target (redrive, on-failure destination, rule DLQ) has a depth alarm; the copy
//     function dead-letters to its queue's redrive target.
//   - NothingReservedByDefault: with every parameter at its default no function reserves concurrency.
//   - LogRetention: every function logs into its own group, kept LogRetentionDays.
//   - MetricsEmitted: every metric an alarm or widget names is in metrics.Catalog, emitted by that function with the
//     emitter's dimensions and errorTypes, or an SQS/Lambda metric of this stack; every function emits under
//     MetricsNamespace.
//   - DashboardComplete: the dashboard shows every catalog metric (each errorType too) and every alarm; every alarm
//     notifies AlarmTopicArn.
//   - NamespacePattern: MetricsNamespace accepts exactly the namespaces metrics.NewEmitter does.
//   - HTTPSOnly: PbxBaseUrl accepts only https URLs without credentials, query or trailing slash; no PBX_ALLOW_HTTP.
//   - PBXCertificate: every function with PBX_BASE_URL trusts PbxCaCert; it takes one PEM certificate or nothing;
//     nothing turns verification off.
//   - ParametersDocumented: every parameter has a Description and exactly one row in the README's table.
//   - EventBridgePatternDocumented: the rule matches what the README tells other routes to put.
//   - MakefileBuildsEachFunction: make build-<LogicalId> builds the function's own main for its architecture.
//
// Run against a changed copy with `go test . -args -template=... -readme=...`.
package template_test

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

var (
	templatePath = flag.String("template", "template.yaml", "the SAM template to check")
	readmePath   = flag.String("readme", "README.md", "the README that documents it")
)

// The functions' logical IDs.
const (
	functionID  = "RecordingSyncFunction"
	webhookID   = "PbxWebhookFunction"
	reconcileID = "RecordingReconcileFunction"
)

// invariant is one check of the template and its README: it reports what
// is wrong through stack.errorf.
type invariant struct {
	name  string
	check func(*stack)
}

var invariants = []invariant{
	{"LeastPrivilege", checkLeastPrivilege},
	{"WebhookSecret", checkWebhookSecret},
	{"StateObjects", checkStateObjects},
	{"QueueSenders", checkQueueSenders},
	{"QueueOutlastsConsumer", checkQueueOutlastsConsumer},
	{"DeadLetters", checkDeadLetters},
	{"NothingReservedByDefault", checkNothingReserved},
	{"LogRetention", checkLogRetention},
	{"MetricsEmitted", checkMetricsEmitted},
	{"DashboardComplete", checkDashboardComplete},
	{"NamespacePattern", checkNamespacePattern},
	{"HTTPSOnly", checkHTTPSOnly},
	{"PBXCertificate", checkPBXCertificate},
	{"ParametersDocumented", checkParametersDocumented},
	{"EventBridgePatternDocumented", checkEventBridgePattern},
	{"MakefileBuildsEachFunction", checkMakefile},
}

func TestTemplateInvariants(t *testing.T) {
	s := loadStack(t, string(readFile(t, *templatePath)), string(readFile(t, *readmePath)))
	for _, inv := range invariants {
		t.Run(inv.name, func(t *testing.T) {
			for _, p := range s.run(t, inv) {
				t.Error(p)
			}
		})
	}
}

// stack is the template as maps, slices and scalars (short tags in their
// long form: !Ref X is {"Ref": "X"}, !GetAtt A.B {"Fn::GetAtt": ["A", "B"]}),
// its text, the README, and what a check found wrong.
type stack struct {
	tpl          map[string]any
	text, readme string
	t            *testing.T // for t.Context
	problems     []string
}

func (s *stack) errorf(format string, args ...any) {
	s.problems = append(s.problems, fmt.Sprintf(format, args...))
}

// run returns what inv finds wrong.
func (s stack) run(t *testing.T, inv invariant) []string {
	s.t, s.problems = t, nil
	inv.check(&s)
	return s.problems
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func loadStack(t *testing.T, text, readme string) *stack {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatal(err)
	}
	v, err := convert(&doc)
	tpl, ok := v.(map[string]any)
	if err != nil || !ok {
		t.Fatalf("template: %v, want a mapping (%v)", v, err)
	}
	return &stack{tpl: tpl, text: text, readme: readme}
}

// convert turns a YAML node into maps, slices and scalars; a node tagged
// !Name becomes {"Fn::Name": value} ({"Ref": value}, {"Condition": value}).
func convert(n *yaml.Node) (any, error) {
	if tag, ok := strings.CutPrefix(n.Tag, "!"); ok && !strings.HasPrefix(tag, "!") {
		plain := *n
		plain.Tag = map[bool]string{true: "!!str"}[n.Kind == yaml.ScalarNode]
		v, err := convert(&plain)
		if s, ok := v.(string); ok && tag == "GetAtt" {
			res, attr, _ := strings.Cut(s, ".")
			v = []any{res, attr}
		}
		if tag != "Ref" && tag != "Condition" {
			tag = "Fn::" + tag
		}
		return map[string]any{tag: v}, err
	}
	var err error
	switch n.Kind {
	case yaml.DocumentNode:
		return convert(n.Content[0])
	case yaml.AliasNode:
		return convert(n.Alias)
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content) && err == nil; i += 2 {
			m[n.Content[i].Value], err = convert(n.Content[i+1])
		}
		return m, err
	case yaml.SequenceNode:
		l := make([]any, len(n.Content))
		for i := 0; i < len(l) && err == nil; i++ {
			l[i], err = convert(n.Content[i])
		}
		return l, err
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, fmt.Errorf("line %d: %w", n.Line, err)
	}
	return v, nil
}

// at follows a dotted path of map keys and list indexes from v; nil where
// the path leads nowhere.
func at(v any, path string) any {
	for _, p := range strings.Split(path, ".") {
		switch c := v.(type) {
		case map[string]any:
			v = c[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			v = c[i]
		default:
			return nil
		}
	}
	return v
}

func mapAt(v any, path string) map[string]any { m, _ := at(v, path).(map[string]any); return m }

// number reads a number, also written as a string as CloudFormation allows;
// -1 when there is none.
func number(v any) int {
	n, err := strconv.Atoi(fmt.Sprint(v))
	if err != nil {
		return -1
	}
	return n
}

// tokens returns every value v can take, written as !Sub writes them: a
// string as it is, !Ref X as ${X}, !GetAtt X.A as ${X.A}; both branches of
// an !If, the text of a !Sub, each item of a list; !Ref AWS::NoValue none.
func tokens(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, tokens(e)...)
		}
		return out
	case map[string]any:
		if r, ok := v["Ref"].(string); ok && r != "AWS::NoValue" {
			return []string{"${" + r + "}"}
		}
		if ga, ok := v["Fn::GetAtt"].([]any); ok && len(ga) == 2 {
			return []string{fmt.Sprintf("${%v.%v}", ga[0], ga[1])}
		}
		if b, ok := v["Fn::If"].([]any); ok && len(b) == 3 {
			return tokens(b[1:])
		}
		if sub, ok := v["Fn::Sub"]; ok {
			if l, ok := sub.([]any); ok && len(l) == 2 {
				sub = l[0]
			}
			return tokens(sub)
		}
	}
	return nil
}

// token is the one value of v, as tokens writes it.
func token(v any) string { return strings.Join(tokens(v), "") }

// logicalID returns X of a token ${X} or ${X.Attribute}.
func logicalID(tok string) string {
	id, _, _ := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(tok, "${"), "}"), ".")
	return id
}

// resources returns the sorted logical IDs of the resources of type typ.
func (s *stack) resources(typ string) []string {
	var ids []string
	for id, r := range mapAt(s.tpl, "Resources") {
		if at(r, "Type") == typ {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

func (s *stack) functions() []string { return s.resources("AWS::Serverless::Function") }

// function returns a function's properties as SAM deploys them: its own
// over Globals.Function, mappings merged.
func (s *stack) function(id string) map[string]any {
	return merge(mapAt(s.tpl, "Globals.Function"), mapAt(s.tpl, "Resources."+id+".Properties"))
}

func (s *stack) env(id string) map[string]any {
	return mapAt(s.function(id), "Environment.Variables")
}

func merge(base, over map[string]any) map[string]any {
	out := maps.Clone(base)
	if out == nil {
		out = map[string]any{}
	}
	for k, v := range over {
		bm, ok1 := out[k].(map[string]any)
		om, ok2 := v.(map[string]any)
		if ok1 && ok2 {
			v = merge(bm, om)
		}
		out[k] = v
	}
	return out
}

// statements returns the statements of a policy document or of a
// function's Policies, those of a conditional policy (!If) included. Any
// other policy (a SAM policy template, a managed policy) becomes a
// statement without Effect, which no check accepts.
func statements(policies any) []map[string]any {
	var out []map[string]any
	for _, p := range policyList(policies) {
		list, ok := at(p, "Statement").([]any)
		if !ok {
			out = append(out, map[string]any{"Sid": fmt.Sprint(p)})
		}
		for _, st := range list {
			m, _ := st.(map[string]any)
			out = append(out, m)
		}
	}
	return out
}

func policyList(p any) []any {
	switch p := p.(type) {
	case []any:
		var out []any
		for _, e := range p {
			out = append(out, policyList(e)...)
		}
		return out
	case map[string]any:
		if b, ok := p["Fn::If"].([]any); ok && len(b) == 3 {
			return policyList(b[1:])
		}
		if p["Ref"] == "AWS::NoValue" {
			return nil
		}
	case nil:
		return nil
	}
	return []any{p}
}

// refersTo reports whether v holds a Ref to name anywhere.
func refersTo(v any, name string) bool {
	switch v := v.(type) {
	case map[string]any:
		if v["Ref"] == name {
			return true
		}
		return slices.ContainsFunc(slices.Collect(maps.Values(v)), func(e any) bool { return refersTo(e, name) })
	case []any:
		return slices.ContainsFunc(v, func(e any) bool { return refersTo(e, name) })
	}
	return false
}
