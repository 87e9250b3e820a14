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
	_, rest, _ := strings.Cut(text, "\n"+title+"\n")
	section, _, _ := strings.Cut(rest, "\n"+title[:strings.Index(title, " ")+1])
	return section
}

// checkREADME: a deployer is told what each parameter means; other routes
// put what the README says the EventBridge rule matches.
func checkREADME(s *stack) {
	params := mapAt(s.tpl, "Parameters")
	var documented []string
	for _, row := range regexp.MustCompile("(?m)^\\| (`.*?) \\|").FindAllStringSubmatch(readmeSection(s.readme, "## Deploy with AWS SAM"), -1) {
		for _, name := range regexp.MustCompile("`(\\w+)`").FindAllStringSubmatch(row[1], -1) {
			s.expect(params[name[1]] != nil && !slices.Contains(documented, name[1]), "the README's parameter table names %s, which the template lacks, or twice", name[1])
			documented = append(documented, name[1])
		}
	}
	for name := range params {
		s.expect(at(params, name+".Description") != nil, "parameter %s has no Description", name)
		s.expect(slices.Contains(documented, name), "parameter %s is not in the README's parameter table", name)
	}
	var pattern, rules []any
	m := regexp.MustCompile("the stack's rule matches\\s*```json\\n([^`]*)```").FindStringSubmatch(s.readme)
	s.expect(m != nil && json.Unmarshal([]byte("["+m[1]+"]"), &pattern) == nil, "the README shows no JSON pattern after \"the stack's rule matches\"")
	for _, ev := range mapAt(s.function(functionID), "Events") {
		if at(ev, "Type") == "EventBridgeRule" {
			rules = append(rules, at(ev, "Properties.Pattern"))
		}
	}
	s.expect(fmt.Sprint(rules) == fmt.Sprint(pattern), "the EventBridge rules match %v, the README documents %v", rules, pattern)
}

// checkMakefile: `sam build` runs build-<LogicalId> (BuildMethod:
// makefile); make -n shows what it builds.
func checkMakefile(s *stack) {
	for _, id := range s.functions() {
		m := at(s.tpl, "Resources."+id+".Metadata.BuildMethod")
		s.expect(m == "makefile", "%s: BuildMethod %v, want makefile", id, m)
		//nolint:gosec // G204: make -n (print only) of a target named after a logical ID of this repository's template
		out, err := exec.CommandContext(s.t.Context(), "make", "-n", "build-"+id, "ARTIFACTS_DIR=/artifacts").CombinedOutput()
		dir := strings.TrimPrefix(token(s.function(id)["FunctionName"]), "${AWS::StackName}-")
		for _, want := range []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=" + token(s.function(id)["Architectures"]),
			"-tags lambda.norpc", "-o /artifacts/bootstrap ./functions/" + dir + "\n"} {
			s.expect(err == nil && strings.Contains(string(out), want), "make build-%s runs\n%s\n(%v) without %q", id, out, err, want)
		}
	}
}
