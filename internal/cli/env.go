package cli

import (
	"fmt"
	"strings"
)

// EnvList parses a flag's comma-separated NAME=value settings (as
// -fn-env takes them) into environment entries.
func EnvList(s string) ([]string, error) {
	var env []string
	for _, kv := range strings.Split(s, ",") {
		if kv = strings.TrimSpace(kv); kv == "" {
			continue
		}
		if name, _, ok := strings.Cut(kv, "="); !ok || name == "" {
			return nil, fmt.Errorf("%q is not NAME=value", kv)
		}
		env = append(env, kv)
	}
	return env, nil
}
