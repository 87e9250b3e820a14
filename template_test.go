// Package template_test checks what a reviewer of template.yaml cannot see
// at a glance; schema and intrinsics are cfn-lint's (make lint), literal
// values the template's own to show. TestTemplateInvariants runs the
// checks on the template; TestTemplateMutations breaks a copy of it for
// each invariant, which its check must report. The invariants:
//
//   - each function's IAM actions and resources are exactly what it uses (checkLeastPrivilege)
//   - only the webhook reads its secret, and never the PBX API credentials (checkWebhookSecret)
//   - one token object, in the stack's own state folder, kept to the functions that use it (checkStateObjects)
//   - only the roles that send to the recording queue may (checkQueueSenders)
//   - a queue's visibility timeout is at least 6 x its consumer's timeout (checkQueues)
//   - every dead-letter queue is watched; hopeless records go to the redrive target (checkQueues)
//   - with the parameters' defaults no function reserves concurrency (checkNothingReserved)
//   - every function's logs are kept LogRetentionDays, in its own group (checkLogRetention)
//   - every metric an alarm or widget names is emitted by that function, or AWS's (checkMetrics)
//   - the dashboard shows every catalog metric and alarm; alarms notify the topic (checkMetrics)
//   - MetricsNamespace accepts exactly what metrics.NewEmitter does (checkNamespacePattern)
//   - the PBX is reached over HTTPS only (checkPBXConnection)
//   - every PBX client trusts PbxCaCert, one certificate; verification is never off (checkPBXConnection)
//   - every parameter is described and in the README's table once (checkREADME)
//   - the EventBridge rule's pattern is the README's (checkREADME)
//   - make build-<LogicalId> builds the function's own main for its architecture (checkMakefile)
package template_test

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"reflect"
	"runtime"
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

// invariants are the checks, in the order of the list above.
var invariants = []func(*stack){checkLeastPrivilege, checkWebhookSecret, checkStateObjects, checkQueueSenders,
	checkQueues, checkNothingReserved, checkLogRetention, checkMetrics, checkNamespacePattern, checkPBXConnection,
	checkREADME, checkMakefile}

func TestTemplateInvariants(t *testing.T) {
	s := loadStack(t, string(readFile(t, "template.yaml")), string(readFile(t, "README.md")))
	for _, check := range invariants {
		t.Run(name(check), func(t *testing.T) {
			for _, p := range s.run(t, check) {
				t.Error(p)
			}
		})
	}
}

// name is a check's function name without "check", for its subtests.
func name(check func(*stack)) string {
	full := runtime.FuncForPC(reflect.ValueOf(check).Pointer()).Name()
	return strings.TrimPrefix(full[strings.LastIndex(full, ".")+1:], "check")
}

// stack is the template as maps, slices and scalars, with short tags in
// their long form (!Ref X is {"Ref": "X"}, !Sub S {"Fn::Sub": S}), its
// text, the README, and what a check found wrong.
type stack struct {
	tpl          map[string]any
	text, readme string
	t            *testing.T // its Context for the commands a check runs
	problems     []string
}

func (s *stack) errorf(format string, args ...any) {
	s.problems = append(s.problems, fmt.Sprintf(format, args...))
}

// expect reports the problem format says unless ok.
func (s *stack) expect(ok bool, format string, args ...any) {
	if !ok {
		s.errorf(format, args...)
	}
}

// run returns what check finds wrong.
func (s stack) run(t *testing.T, check func(*stack)) []string {
	s.t, s.problems = t, nil
	check(&s)
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
	s, doc := &stack{text: text, readme: readme}, yaml.Node{}
	if err := errors.Join(yaml.Unmarshal([]byte(text), &doc), longForm(&doc).Decode(&s.tpl)); err != nil {
		t.Fatalf("template: %v", err)
	}
	return s
}

// longForm rewrites every node tagged !Name as {"Fn::Name": node} ({"Ref":
// node}, {"Condition": node}).
func longForm(n *yaml.Node) *yaml.Node {
	for _, c := range n.Content {
		longForm(c)
	}
	if tag, ok := strings.CutPrefix(n.Tag, "!"); ok && !strings.HasPrefix(tag, "!") {
		if tag != "Ref" && tag != "Condition" {
			tag = "Fn::" + tag
		}
		inner := *n
		inner.Tag = map[bool]string{true: "!!str"}[n.Kind == yaml.ScalarNode]
		*n = yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: tag}, &inner}}
	}
	return n
}

// at follows a dotted path of map keys and list indexes from v; nil where
// it leads nowhere.
func at(v any, path string) any {
	for _, p := range strings.Split(path, ".") {
		if m, ok := v.(map[string]any); ok {
			v = m[p]
		} else if i, err := strconv.Atoi(p); err == nil && i >= 0 && i < len(asList(v)) {
			v = asList(v)[i]
		} else {
			return nil
		}
	}
	return v
}

func mapAt(v any, path string) map[string]any { m, _ := at(v, path).(map[string]any); return m }

func asList(v any) []any { l, _ := v.([]any); return l }

// number reads a number, also written as a string as CloudFormation
// allows; 0 when there is none.
func number(v any) int { n, _ := strconv.Atoi(fmt.Sprint(v)); return n }

// tokens returns every value v can take, written as !Sub writes them: a
// string as it is, !Ref X as ${X}, !GetAtt X.A as ${X.A}; both branches of
// an !If, the text of a !Sub, each item of a list; !Ref AWS::NoValue none.
func tokens(v any) []string {
	m, _ := v.(map[string]any)
	switch sub, branches := m["Fn::Sub"], asList(m["Fn::If"]); {
	case m["Ref"] != nil && m["Ref"] != "AWS::NoValue":
		return []string{fmt.Sprintf("${%v}", m["Ref"])}
	case m["Fn::GetAtt"] != nil:
		return []string{fmt.Sprintf("${%v}", m["Fn::GetAtt"])}
	case len(branches) == 3:
		return tokens(branches[1:])
	case len(asList(sub)) == 2:
		return tokens(asList(sub)[0])
	case sub != nil:
		return tokens(sub)
	case asList(v) != nil:
		var out []string
		for _, e := range asList(v) {
			out = append(out, tokens(e)...)
		}
		return out
	}
	if s, ok := v.(string); ok {
		return []string{s}
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
	ids := slices.Sorted(maps.Keys(mapAt(s.tpl, "Resources")))
	return slices.DeleteFunc(ids, func(id string) bool { return at(s.tpl, "Resources."+id+".Type") != typ })
}

func (s *stack) functions() []string { return s.resources("AWS::Serverless::Function") }

// function returns a function's properties as SAM deploys them: its own
// over Globals.Function, mappings merged.
func (s *stack) function(id string) map[string]any {
	return merge(mapAt(s.tpl, "Globals.Function"), mapAt(s.tpl, "Resources."+id+".Properties"))
}

func (s *stack) env(id string) map[string]any { return mapAt(s.function(id), "Environment.Variables") }

func merge(base, over map[string]any) map[string]any {
	out := map[string]any{}
	maps.Copy(out, over)
	for k, v := range base {
		bm, _ := v.(map[string]any)
		if om, ok := out[k].(map[string]any); ok && bm != nil {
			out[k] = merge(bm, om)
		} else if _, ok := out[k]; !ok {
			out[k] = v
		}
	}
	return out
}

// statements returns the statements of a policy document or Policies, in
// both branches of every !If; any other policy (a SAM policy template, a
// managed policy) as a statement without Effect, which no check accepts.
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
