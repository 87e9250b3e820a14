package template_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/config"
)

// TestStateKeysNamedForTheStack: two stacks sharing one bucket never share
// a token or a cursor. Every TOKEN_CACHE_KEY the template sets lies in
// stateDir, a folder named for the stack; the reconciler's state object,
// which the code derives from TOKEN_CACHE_KEY, lies there too; and the IAM
// grants name exactly those objects. Two stack names give disjoint keys.
func TestStateKeysNamedForTheStack(t *testing.T) {
	tpl := loadTemplate(t)
	for _, id := range resourcesOfType(t, tpl, "AWS::Serverless::Function") {
		env := getMap(t, functionProps(t, tpl, id), "Environment", "Variables")
		if env["TOKEN_CACHE_KEY"] == nil {
			continue
		}
		tokenKey := strings.Join(tokens(env["TOKEN_CACHE_KEY"]), "")
		if !strings.HasPrefix(tokenKey, stateDir) {
			t.Errorf("%s: TOKEN_CACHE_KEY %q lies outside the stack's folder %s", id, tokenKey, stateDir)
		}
		objects := []string{"bucket/" + tokenKey}
		if id == reconcileID {
			objects = append(objects, "bucket/"+reconcileStateKey(t, tokenKey))
		}
		slices.Sort(objects)
		for _, action := range []string{"s3:GetObject", "s3:PutObject"} {
			var state []string
			for _, r := range leastPrivilege[id][action] {
				if strings.HasPrefix(r, "bucket/.recording-sync/") {
					state = append(state, r)
				}
			}
			if slices.Sort(state); !slices.Equal(state, objects) {
				t.Errorf("%s: %s on state objects %v, want exactly its own %v", id, action, state, objects)
			}
		}
		a, b := stackKey(tokenKey, "calls"), stackKey(tokenKey, "calls-eu")
		if a == b || strings.HasPrefix(b, strings.TrimSuffix(a, "pbx-token.json")) {
			t.Errorf("%s: stacks calls and calls-eu share state: %q, %q", id, a, b)
		}
	}
}

// reconcileStateKey is the reconciler's state object for tokenKey, as
// config.LoadReconcile derives it.
func reconcileStateKey(t *testing.T, tokenKey string) string {
	t.Helper()
	env := map[string]string{
		"PBX_BASE_URL": "https://pbx.example.com:8088", "PBX_CLIENT_ID": "id", "PBX_CLIENT_SECRET": "secret",
		"RECORDINGS_BUCKET": "recordings", "TOKEN_CACHE_KEY": tokenKey,
		"RECORDINGS_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
	}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	c, err := config.Load(lookup)
	if err != nil {
		t.Fatal(err)
	}
	r, err := config.LoadReconcile(c, lookup)
	if err != nil {
		t.Fatal(err)
	}
	return r.StateKey
}

// stackKey is key as the stack named stack has it.
func stackKey(key, stack string) string { return strings.ReplaceAll(key, "${AWS::StackName}", stack) }
