package localenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// BuildFunctionBootstrap builds ./functions/NAME like `sam build` does (a
// static bootstrap with -tags lambda.norpc) into DIR/NAME/bootstrap.
func BuildFunctionBootstrap(ctx context.Context, dir, name string) (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, name, "bootstrap")
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", out, "./functions/"+name)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("localenv: build %s: %w\n%s", name, err, b)
	}
	return out, nil
}
