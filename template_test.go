// Package template_test checks what a reviewer of template.yaml cannot see
// at a glance; schema and intrinsics are cfn-lint's (make lint), literal
// values the template's own to show. TestTemplateInvariants runs each
// invariant on the template; TestTemplateMutations breaks a copy of it
// for each, which must fail. The invariants, and the check of each:
//
//   - each function's IAM actions and resources are exactly what it uses (checkLeastPrivilege)
//   - only the webhook reads its secret, and never the PBX API credentials (checkWebhookSecret)
//   - one token object, in the stack's own state folder, kept to the functions that use it (checkStateObjects)
//   - only the roles that send to the recording queue may (checkQueueSenders)
//   - a queue's visibility timeout is at least 6 x its consumer's timeout (checkQueueOutlastsConsumer)
//   - every dead-letter queue is watched; hopeless records go to the redrive target (checkDeadLetters)
//   - with the parameters' defaults no function reserves concurrency (checkNothingReserved)
//   - every function's logs are kept LogRetentionDays, in its own group (checkLogRetention)
//   - every metric an alarm or widget names is emitted by that function, or AWS's (checkMetricsEmitted)
//   - the dashboard shows every catalog metric and alarm; alarms notify the topic (checkDashboardComplete)
//   - MetricsNamespace accepts exactly what metrics.NewEmitter does (checkNamespacePattern)
//   - the PBX is reached over HTTPS only (checkHTTPSOnly)
//   - every PBX client trusts PbxCaCert, one certificate; verification is never off (checkPBXCertificate)
//   - every parameter is described and in the README's table once (checkParametersDocumented)
//   - the EventBridge rule's pattern is the README's (checkEventBridgePattern)
//   - make build-<LogicalId> builds the function's own main for its architecture (checkMakefile)
package template_test

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The functions' logical IDs.
const (
	functionID  = "RecordingSyncFunction"
	webhookID   = "PbxWebhookFunction"
	reconcileID = "RecordingReconcileFunction"
)

// invariants are the checks, by name; each reports through stack.errorf.
var invariants = map[string]func(*stack){
	"LeastPrivilege":             checkLeastPrivilege,
	"WebhookSecret":              checkWebhookSecret,
	"StateObjects":               checkStateObjects,
	"QueueSenders":               checkQueueSenders,
	"QueueOutlastsConsumer":      checkQueueOutlastsConsumer,
	"DeadLetters":                checkDeadLetters,
	"NothingReservedByDefault":   checkNothingReserved,
	"LogRetention":               checkLogRetention,
	"MetricsEmitted":             checkMetricsEmitted,
	"DashboardComplete":          checkDashboardComplete,
	"NamespacePattern":           checkNamespacePattern,
	"HTTPSOnly":                  checkHTTPSOnly,
	"PBXCertificate":             checkPBXCertificate,
	"ParametersDocumented":       checkParametersDocumented,
	"EventBridgePattern":         checkEventBridgePattern,
	"MakefileBuildsEachFunction": checkMakefile,
}

func TestTemplateInvariants(t *testing.T) {
	s := loadStack(t, string(readFile(t, "template.yaml")), string(readFile(t, "README.md")))
	for _, name := range slices.Sorted(maps.Keys(invariants)) {
		t.Run(name, func(t *testing.T) {
			for _, p := range s.run(t, name) {
				t.Error(p)
			}
		})
	}
}

// stack is the template as maps, slices and scalars (short tags in their
// long form: !Ref X is {"Ref": "X"}, !GetAtt A.B {"Fn::GetAtt": ["A", "B"]}),
// its text and the README, and what a check found wrong.
type stack struct {
	tpl          map[string]any
	text, readme string
	t            *testing.T // its Context for the commands a check runs
	problems     []string
}

func (s *stack) errorf(format string, args ...any) {
	s.problems = append(s.problems, fmt.Sprintf(format, args...))
}

// run returns what the invariant named finds wrong.
func (s stack) run(t *testing.T, invariant string) []string {
	s.t, s.problems = t, nil
	invariants[invariant](&s)
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
	err := yaml.Unmarshal([]byte(text), &doc)
	var tpl map[string]any
	if err == nil {
		tpl, _ = convert(&doc, &err).(map[string]any)
	}
	if err != nil || tpl == nil {
		t.Fatalf("template: %v, want a mapping", err)
	}
	return &stack{tpl: tpl, text: text, readme: readme}
}

// convert turns a YAML node into maps, slices and scalars; a node tagged
// !Name becomes {"Fn::Name": value} ({"Ref": value}, {"Condition": value}).
func convert(n *yaml.Node, errp *error) any {
	if tag, ok := strings.CutPrefix(n.Tag, "!"); ok && !strings.HasPrefix(tag, "!") {
		plain := *n
		plain.Tag = map[bool]string{true: "!!str"}[n.Kind == yaml.ScalarNode]
		v := convert(&plain, errp)
		if s, ok := v.(string); ok && tag == "GetAtt" {
			res, attr, _ := strings.Cut(s, ".")
			v = []any{res, attr}
		}
		if tag != "Ref" && tag != "Condition" {
			tag = "Fn::" + tag
		}
		return map[string]any{tag: v}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		return convert(n.Content[0], errp)
	case yaml.AliasNode:
		return convert(n.Alias, errp)
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = convert(n.Content[i+1], errp)
		}
		return m
	case yaml.SequenceNode:
		l := make([]any, len(n.Content))
		for i, c := range n.Content {
			l[i] = convert(c, errp)
		}
		return l
	}
	var v any
	if err := n.Decode(&v); err != nil {
		*errp = fmt.Errorf("line %d: %w", n.Line, err)
	}
	return v
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

func asList(v any) []any { l, _ := v.([]any); return l }

// number reads a number, also written as a string as CloudFormation
// allows; 0 when there is none.
func number(v any) int {
	n, _ := strconv.Atoi(fmt.Sprint(v))
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
		sub, getAtt, branches := v["Fn::Sub"], asList(v["Fn::GetAtt"]), asList(v["Fn::If"])
		switch {
		case v["Ref"] != nil && v["Ref"] != "AWS::NoValue":
			return []string{fmt.Sprintf("${%v}", v["Ref"])}
		case len(getAtt) == 2:
			return []string{fmt.Sprintf("${%v.%v}", getAtt[0], getAtt[1])}
		case len(branches) == 3:
			return tokens(branches[1:])
		case len(asList(sub)) == 2:
			return tokens(asList(sub)[0])
		case sub != nil:
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

func (s *stack) env(id string) map[string]any { return mapAt(s.function(id), "Environment.Variables") }

func merge(base, over map[string]any) map[string]any {
	out := maps.Clone(base)
	if out == nil {
		out = map[string]any{}
	}
	for k, v := range over {
		if bm, ok := out[k].(map[string]any); ok {
			if om, ok := v.(map[string]any); ok {
				v = merge(bm, om)
			}
		}
		out[k] = v
	}
	return out
}

// statements returns the statements of a policy document or of a
// function's Policies, in both branches of every !If. Any other policy (a
// SAM policy template, a managed policy) becomes a statement without
// Effect, which no check accepts.
func statements(v any) []map[string]any {
	p, _ := v.(map[string]any)
	switch branches := asList(p["Fn::If"]); {
	case v == nil || p["Ref"] == "AWS::NoValue":
		return nil
	case len(branches) == 3:
		return statements(branches[1:])
	case p["Statement"] != nil:
		return statements(p["Statement"])
	case p["Effect"] != nil:
		return []map[string]any{p}
	case asList(v) != nil:
		var out []map[string]any
		for _, e := range asList(v) {
			out = append(out, statements(e)...)
		}
		return out
	}
	return []map[string]any{{"Sid": fmt.Sprint(v)}}
}

// refersTo reports whether v holds a Ref to name anywhere.
func refersTo(v any, name string) bool {
	switch v := v.(type) {
	case map[string]any:
		return v["Ref"] == name || slices.ContainsFunc(slices.Collect(maps.Values(v)), func(e any) bool { return refersTo(e, name) })
	case []any:
		return slices.ContainsFunc(v, func(e any) bool { return refersTo(e, name) })
	}
	return false
}
