package webhookapp

import (
	"os/exec"
	"strings"
	"testing"
)

// TestWebhookLinksOnlyWhatItCalls: the webhook function links neither the
// S3 uploader and client nor the PBX client and the copy: a package a
// function does not call is not linked into it.
func TestWebhookLinksOnlyWhatItCalls(t *testing.T) {
	out, err := exec.CommandContext(t.Context(), "go", "list", "-deps", "../../../functions/pbx-webhook").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) == 0 || deps[len(deps)-1] != "github.com/recording-sync/recording-sync/functions/pbx-webhook" {
		t.Fatalf("go list -deps listed %d packages, not ending with the webhook function", len(deps))
	}
	for _, dep := range deps {
		for _, banned := range []string{
			"github.com/aws/aws-sdk-go-v2/feature/s3/manager",
			"github.com/aws/aws-sdk-go-v2/service/s3",
			"github.com/recording-sync/recording-sync/pkg/yeastar",
			"github.com/recording-sync/recording-sync/pkg/copier",
		} {
			if dep == banned || strings.HasPrefix(dep, banned+"/") {
				t.Errorf("the webhook function links %s", dep)
			}
		}
	}
}
