package app

import (
	"os/exec"
	"strings"
	"testing"
)

// TestFunctionsLinkOnlyWhatTheyCall: a package a function does not call
// is not linked into it. The webhook links neither the S3 uploader and
// client nor the PBX client and the copy; the copy function links no part
// of the reconciler, and the reconciler no part of the copy handler.
func TestFunctionsLinkOnlyWhatTheyCall(t *testing.T) {
	const mod = "github.com/recording-sync/recording-sync/"
	banned := map[string][]string{
		"pbx-webhook": {"github.com/aws/aws-sdk-go-v2/feature/s3/manager", "github.com/aws/aws-sdk-go-v2/service/s3",
			mod + "pkg/yeastar", mod + "pkg/copier", mod + "pkg/app"},
		"recording-sync":      {mod + "pkg/reconcile", mod + "pkg/app/reconcileapp"},
		"recording-reconcile": {mod + "pkg/copyhandler", mod + "pkg/app/copyapp"},
	}
	for fn, banned := range banned {
		t.Run(fn, func(t *testing.T) {
			//nolint:gosec // G204: go list of a function directory of this repository, named in the table above
			out, err := exec.CommandContext(t.Context(), "go", "list", "-deps", "../../functions/"+fn).CombinedOutput()
			if err != nil {
				t.Fatalf("go list -deps: %v\n%s", err, out)
			}
			deps := strings.Fields(string(out))
			if len(deps) == 0 || deps[len(deps)-1] != mod+"functions/"+fn {
				t.Fatalf("go list -deps listed %d packages, not ending with the function", len(deps))
			}
			for _, dep := range deps {
				for _, b := range banned {
					if dep == b || (strings.HasPrefix(dep, b+"/") && b != mod+"pkg/app") {
						t.Errorf("%s links %s", fn, dep)
					}
				}
			}
		})
	}
}
