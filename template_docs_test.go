package template_test

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strings"
)

// readmeSection returns the text from the heading named title to the next
// heading of its level; "" when there is no such heading.
func readmeSection(text, title string) string {
	_, rest, ok := strings.Cut(text, "\n"+title+"\n")
	if !ok {
		return ""
	}
	section, _, _ := strings.Cut(rest, "\n"+title[:strings.Index(title, " ")+1])
	return section
}

// checkParametersDocumented: every parameter has a description, and the
// README's parameter table names exactly the template's parameters, each
// once.
func checkParametersDocumented(s *stack) {
	params := mapAt(s.tpl, "Parameters")
	var documented []string
	for _, row := range regexp.MustCompile("(?m)^\\| (`.*?) \\|").FindAllStringSubmatch(readmeSection(s.readme, "## Deploy with AWS SAM"), -1) {
		for _, name := range regexp.MustCompile("`(\\w+)`").FindAllStringSubmatch(row[1], -1) {
			documented = append(documented, name[1])
		}
	}
	for name := range params {
		if at(params, name+".Description") == nil {
			s.errorf("parameter %s has no Description", name)
		}
		if !slices.Contains(documented, name) {
			s.errorf("parameter %s is not in the README's parameter table", name)
		}
	}
	for i, name := range documented {
		if params[name] == nil || slices.Contains(documented[:i], name) {
			s.errorf("the README's parameter table names %s, which the template lacks, or twice", name)
		}
	}
}

// checkEventBridgePattern: the rule matches what the README tells other
// routes to put: the JSON block after "the stack's rule matches".
func checkEventBridgePattern(s *stack) {
	m := regexp.MustCompile("the stack's rule matches\\s*```json\\n([^`]*)```").
		FindStringSubmatch(readmeSection(s.readme, "## Connecting the PBX's call-end webhook"))
	var documented any
	if m == nil || json.Unmarshal([]byte(m[1]), &documented) != nil {
		s.errorf("the README shows no JSON pattern after \"the stack's rule matches\"")
	}
	var rules []any
	for _, ev := range mapAt(s.function(functionID), "Events") {
		if at(ev, "Type") == "EventBridgeRule" {
			rules = append(rules, at(ev, "Properties.Pattern"))
		}
	}
	if len(rules) != 1 || fmt.Sprint(rules[0]) != fmt.Sprint(documented) {
		s.errorf("the EventBridge rules match %v, the README documents %v", rules, documented)
	}
}

// checkMakefile: `sam build` runs build-<LogicalId> for each function
// (BuildMethod: makefile); make -n shows that it builds the function's own
// main package, named as the function is deployed, into
// ARTIFACTS_DIR/bootstrap for the template's architecture.
func checkMakefile(s *stack) {
	for _, id := range s.functions() {
		if m := at(s.tpl, "Resources."+id+".Metadata.BuildMethod"); m != "makefile" {
			s.errorf("%s: BuildMethod %v, want makefile", id, m)
		}
		name := strings.TrimPrefix(token(s.function(id)["FunctionName"]), "${AWS::StackName}-")
		//nolint:gosec // G204: make -n (print only) of a target named after a logical ID of this repository's template
		out, err := exec.CommandContext(s.t.Context(), "make", "-n", "build-"+id, "ARTIFACTS_DIR=/artifacts").CombinedOutput()
		if err != nil {
			s.errorf("make -n build-%s: %v\n%s", id, err, out)
			continue
		}
		for _, want := range []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=" + token(s.function(id)["Architectures"]),
			"-tags lambda.norpc", "-o /artifacts/bootstrap ./functions/" + name + "\n"} {
			if !strings.Contains(string(out), want) {
				s.errorf("make build-%s runs\n%s\nwithout %q", id, out, want)
			}
		}
	}
}
