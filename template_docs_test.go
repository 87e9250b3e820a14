package template_test

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// readmeSection returns the README's text from the heading named title to
// the next heading of its level.
func readmeSection(t *testing.T, title string) string {
	t.Helper()
	text := string(readFile(t, *readmePath))
	_, rest, ok := strings.Cut(text, "\n"+title+"\n")
	if !ok {
		t.Fatalf("%s has no heading %q", *readmePath, title)
	}
	level := title[:strings.Index(title, " ")+1]
	section, _, _ := strings.Cut(rest, "\n"+level)
	return section
}

// TestParametersDocumented: every parameter has a description, and the
// README's parameter table names exactly the template's parameters, each
// once.
func TestParametersDocumented(t *testing.T) {
	params := getMap(t, loadTemplate(t), "Parameters")
	var documented []string
	for _, row := range regexp.MustCompile("(?m)^\\| (`.*?) \\|").FindAllStringSubmatch(readmeSection(t, "## Deploy with AWS SAM"), -1) {
		for _, name := range regexp.MustCompile("`(\\w+)`").FindAllStringSubmatch(row[1], -1) {
			documented = append(documented, name[1])
		}
	}
	for name := range params {
		if d, _ := at(params, name, "Description"); d == nil {
			t.Errorf("parameter %s has no Description", name)
		}
		if !slices.Contains(documented, name) {
			t.Errorf("parameter %s is not in the README's parameter table", name)
		}
	}
	seen := map[string]bool{}
	for _, name := range documented {
		if params[name] == nil {
			t.Errorf("the README's parameter table names %s, which the template lacks", name)
		}
		if seen[name] {
			t.Errorf("the README's parameter table names %s more than once", name)
		}
		seen[name] = true
	}
}

// TestEventBridgePatternDocumented: the rule matches what the README tells
// other routes to put: the JSON block after "the stack's rule matches".
func TestEventBridgePatternDocumented(t *testing.T) {
	section := readmeSection(t, "## Connecting the PBX's call-end webhook")
	m := regexp.MustCompile("the stack's rule matches\\s*```json\\n([^`]*)```").FindStringSubmatch(section)
	if m == nil {
		t.Fatal("the README shows no pattern after \"the stack's rule matches\"")
	}
	var documented any
	if err := json.Unmarshal([]byte(m[1]), &documented); err != nil {
		t.Fatal(err)
	}
	var rules []any
	for _, ev := range getMap(t, functionProps(t, loadTemplate(t), functionID), "Events") {
		if typ, _ := at(ev, "Type"); typ == "EventBridgeRule" {
			rules = append(rules, get(t, ev, "Properties", "Pattern"))
		}
	}
	if len(rules) != 1 || fmt.Sprint(rules[0]) != fmt.Sprint(documented) {
		t.Errorf("the EventBridge rules match %v, the README documents %v", rules, documented)
	}
}

// TestMakefileBuildsEachFunction: `sam build` runs build-<LogicalId> for each
// function (BuildMethod: makefile); make -n shows that it builds the
// function's own main package, named as the function is deployed, into
// ARTIFACTS_DIR/bootstrap for the template's architecture.
func TestMakefileBuildsEachFunction(t *testing.T) {
	tpl := loadTemplate(t)
	for _, id := range resourcesOfType(t, tpl, "AWS::Serverless::Function") {
		if m, _ := at(tpl, "Resources", id, "Metadata", "BuildMethod"); m != "makefile" {
			t.Errorf("%s: BuildMethod %v, want makefile", id, m)
		}
		name, _ := at(functionProps(t, tpl, id), "FunctionName", "Fn::Sub")
		arch := tokens(get(t, functionProps(t, tpl, id), "Architectures"))
		//nolint:gosec // G204: make -n (print only) of a target named after a logical ID of this repository's template
		out, err := exec.CommandContext(t.Context(), "make", "-n", "build-"+id, "ARTIFACTS_DIR=/artifacts").CombinedOutput()
		if err != nil {
			t.Errorf("make -n build-%s: %v\n%s", id, err, out)
			continue
		}
		for _, want := range []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=" + strings.Join(arch, ""), "-tags lambda.norpc",
			"-o /artifacts/bootstrap ./functions/" + strings.TrimPrefix(fmt.Sprint(name), "${AWS::StackName}-") + "\n"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("make build-%s runs\n%s\nwithout %q", id, out, want)
			}
		}
	}
}
