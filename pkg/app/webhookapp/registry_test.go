package webhookapp

import (
	"strings"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/pkg/redact"
)

const (
	pbxPrefix    = "recording-sync/pbx/"
	hqWebhook    = "Hq3Wn3Ks9Lm2Vb8Xc4Zr6Ty1Hg5Jd0Fa"
	branchHook   = "Br4Wn3Ks9Lm2Vb8Xc4Zr6Ty1Hg5Jd0Fa"
	hqClientSecr = "hq-client-secret-never-logged"
)

func pbxSecret(host, clientSecret, hook string) string {
	return `{"base_url":"https://` + host + `","client_id":"app","client_secret":"` + clientSecret + `","webhook_secret":"` + hook + `"}`
}

// TestRegistryFromSecrets wires the webhook with PBX_SECRET_PREFIX beside
// the default PBX's own secret: each PBX's path is checked with its own
// secret and queued with its id, the bare URL is the default as before, an
// unknown id is 404 with no secret read, a PBX whose secret is created is
// served after PBX_REGISTRY_REFRESH, and a secret that is no PBX is
// logged as skipped.
func TestRegistryFromSecrets(t *testing.T) {
	w := newWired(t, map[string]string{"PBX_SECRET_PREFIX": pbxPrefix, "PBX_REGISTRY_REFRESH": "1m"}, map[string]string{
		secretID:               oldSecret,
		pbxPrefix + "hq":       pbxSecret("hq.example.com", hqClientSecr, hqWebhook),
		pbxPrefix + "Bad_Name": pbxSecret("bad.example.com", "x-secret-value", hqWebhook),
	})
	sm := w.secrets
	cases := []struct {
		path, key string
		status    int
	}{
		{"/pbx/hq", hqWebhook, 200},
		{"/", oldSecret, 200},
		{"/pbx/hq", oldSecret, 401},
		{"/", hqWebhook, 401},
		{"/pbx/nope", hqWebhook, 404},
		{"/pbx/branch", branchHook, 404},
	}
	for _, tc := range cases {
		if got := w.status(t, tc.path, tc.key); got != tc.status {
			t.Errorf("%s: %d, want %d", tc.path, got, tc.status)
		}
	}
	if sm.Reads(pbxPrefix+"nope") != 0 || sm.Reads(pbxPrefix+"branch") != 0 || sm.Lists() != 1 {
		t.Errorf("unknown ids cost %d and %d reads and %d lists, want 0, 0 and 1", sm.Reads(pbxPrefix+"nope"), sm.Reads(pbxPrefix+"branch"), sm.Lists())
	}

	sm.Put(pbxPrefix+"branch", pbxSecret("branch.example.com", "branch-client-secret", branchHook))
	w.now = w.now.Add(time.Minute)
	if got := w.status(t, "/pbx/branch", branchHook); got != 200 {
		t.Errorf("branch added: %d, want 200", got)
	}
	msgs := w.sqs.Messages("recordings")
	if len(msgs) != 3 || !strings.HasPrefix(msgs[0].Body, `{"pbx":"hq","file":`) ||
		!strings.HasPrefix(msgs[1].Body, `{"file":`) || !strings.HasPrefix(msgs[2].Body, `{"pbx":"branch","file":`) {
		t.Errorf("messages %v, want hq's, the default's without pbx, branch's", msgs)
	}
	out := w.logs.String()
	if !strings.Contains(out, `"msg":"PBX skipped","name":"`+pbxPrefix+`Bad_Name"`) || !strings.Contains(out, `"pbxs":"branch,hq"`) {
		t.Errorf("the registry's reads are not logged:\n%s", out)
	}
	for _, s := range []string{hqWebhook, branchHook, hqClientSecr} {
		if strings.Contains(out, s) {
			t.Errorf("the log shows a secret")
		}
		if w.red.String("x"+s) != "x"+redact.Mask {
			t.Errorf("a PBX's secret is not registered with the redactor")
		}
	}
}
