// Package template_test checks what a reviewer of template.yaml cannot see
// at a glance: each function's least privilege, the queue's visibility
// timeout against its consumer's timeout, every metric the alarms and the
// dashboard name against what the functions emit, every parameter against
// the README. Schema and intrinsic functions are cfn-lint's job (make lint).
// Run against a changed copy with `go test . -args -template=... -readme=...`.
package template_test

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"regexp"
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

// loadTemplate parses the template into maps, slices and scalars, with
// CloudFormation short tags in their long form: !Ref X becomes
// {"Ref": "X"}, !GetAtt A.B {"Fn::GetAtt": ["A", "B"]}, !Sub S {"Fn::Sub": S}.
func loadTemplate(t *testing.T) map[string]any {
	t.Helper()
	return parseTemplate(t, *templatePath, readFile(t, *templatePath))
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// parseTemplate is loadTemplate for a template's text, named name.
func parseTemplate(t *testing.T, name string, raw []byte) map[string]any {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	v, err := convert(&doc)
	m, ok := v.(map[string]any)
	if err != nil || !ok {
		t.Fatalf("%s: %v, want a mapping (%v)", name, v, err)
	}
	return m
}

func convert(n *yaml.Node) (any, error) {
	switch {
	case n.Kind == yaml.DocumentNode && len(n.Content) == 1:
		return convert(n.Content[0])
	case n.Kind == yaml.AliasNode:
		return convert(n.Alias)
	case strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!"):
		return convertTagged(n)
	case n.Kind == yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			val, err := convert(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = val
		}
		return m, nil
	case n.Kind == yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			val, err := convert(c)
			if err != nil {
				return nil, err
			}
			s = append(s, val)
		}
		return s, nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, fmt.Errorf("line %d: %w", n.Line, err)
	}
	return v, nil
}

// convertTagged turns a node tagged !Name into {"Fn::Name": value} ({"Ref":
// value} and {"Condition": value} for those two).
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
	if s, ok := v.(string); ok && name == "GetAtt" {
		res, attr, _ := strings.Cut(s, ".")
		v = []any{res, attr}
	}
	return map[string]any{key: v}, err
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
				return nil, fmt.Errorf("%s: no item %q", strings.Join(path[:i], "."), p)
			}
			v = c[n]
		default:
			return nil, fmt.Errorf("%s is a %T", strings.Join(path[:i], "."), v)
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
	m, ok := get(t, v, path...).(map[string]any)
	if !ok {
		t.Fatalf("%s is not a mapping", strings.Join(path, "."))
	}
	return m
}

// getInt reads a number, also written as a string as CloudFormation allows.
func getInt(t *testing.T, v any, path ...string) int {
	t.Helper()
	n, err := strconv.Atoi(fmt.Sprint(get(t, v, path...)))
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(path, "."), err)
	}
	return n
}

func ref(name string) map[string]any { return map[string]any{"Ref": name} }

// token writes a value as !Sub would: a string as it is, !Ref X as ${X},
// !GetAtt X.A as ${X.A}.
func token(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case map[string]any:
		if r, ok := v["Ref"].(string); ok {
			return "${" + r + "}", nil
		}
		if ga, ok := v["Fn::GetAtt"].([]any); ok && len(ga) == 2 {
			return fmt.Sprintf("${%v.%v}", ga[0], ga[1]), nil
		}
	}
	return "", fmt.Errorf("%v is not a string, !Ref or !GetAtt", v)
}

// tokens returns every value v can take, as token writes them: both
// branches of an !If, the text of a !Sub, each item of a list.
func tokens(v any) []string {
	switch v := v.(type) {
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, tokens(e)...)
		}
		return out
	case map[string]any:
		if branches, ok := v["Fn::If"].([]any); ok && len(branches) == 3 {
			return tokens(branches[1:])
		}
		if sub, ok := v["Fn::Sub"]; ok {
			if l, ok := sub.([]any); ok && len(l) == 2 {
				sub = l[0]
			}
			return tokens(sub)
		}
	}
	if s, err := token(v); err == nil && s != "${AWS::NoValue}" {
		return []string{s}
	}
	return nil
}

// resourcesOfType returns the sorted logical IDs of the resources of type typ.
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

// functionProps returns a function's properties as SAM deploys them: its
// own over Globals.Function, mappings merged.
func functionProps(t *testing.T, tpl map[string]any, id string) map[string]any {
	t.Helper()
	globals, _ := at(tpl, "Globals", "Function")
	g, _ := globals.(map[string]any)
	return merge(g, getMap(t, tpl, "Resources", id, "Properties"))
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

// TestTemplateRequiresHTTPSPBX: the client secret travels in the get_token
// body, so the deployed functions never talk to a plain-HTTP PBX: the
// template neither sets PBX_ALLOW_HTTP nor accepts an http:// base URL.
func TestTemplateRequiresHTTPSPBX(t *testing.T) {
	if strings.Contains(string(readFile(t, *templatePath)), "PBX_ALLOW_HTTP") {
		t.Errorf("%s mentions PBX_ALLOW_HTTP; plain HTTP is for local use only", *templatePath)
	}
	pattern, _ := get(t, loadTemplate(t), "Parameters", "PbxBaseUrl", "AllowedPattern").(string)
	re := regexp.MustCompile(pattern)
	for url, want := range map[string]bool{
		"https://pbx.example.com:8088": true, "https://pbx.example.com/base": true,
		"http://pbx.example.com:8088": false, "HTTP://pbx.example.com:8088": false,
		"https://user:pw@pbx.example.com": false, "https://pbx.example.com:8088/": false,
		"ftp://pbx.example.com": false, "https://pbx.example.com/?q=token": false,
	} {
		if got := re.MatchString(url); got != want {
			t.Errorf("PbxBaseUrl AllowedPattern matches %q = %v, want %v", url, got, want)
		}
	}
}

// logicalID returns X of a token ${X} or ${X.Attribute}.
func logicalID(tok string) string {
	id, _, _ := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(tok, "${"), "}"), ".")
	return id
}
