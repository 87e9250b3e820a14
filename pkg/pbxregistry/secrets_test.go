package pbxregistry_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/clocktest"
	"github.com/recording-sync/recording-sync/internal/secretstest"
	"github.com/recording-sync/recording-sync/pkg/pbxregistry"
)

const prefix = "recording-sync/pbx/"

// TestSecrets: each secret under the prefix is a PBX named by the rest of
// its name, read by its ARN; names that are not ids, values that are not
// entries and secrets without a value are skipped with their reason, and
// nothing outside the prefix is read.
func TestSecrets(t *testing.T) {
	srv := secretstest.New()
	defer srv.Close()
	srv.Put(prefix+"hq", entryJSON("hq", hqSecret, hqWebhook))
	srv.Put(prefix+"branch-2", entryJSON("branch", "branch-secret-x", ""))
	srv.Put(prefix+"Upper", entryJSON("upper", "upper-secret-x", ""))
	srv.Put(prefix+"nested/x", entryJSON("nested", "nested-secret-x", ""))
	srv.Put(prefix+"broken", `{"base_url":"https://broken","client_id":"x"}`)
	srv.Put(prefix+"text", hqSecret)
	srv.Create(prefix + "empty")
	srv.Put("recording-sync/other", entryJSON("other", "other-secret-x", ""))

	snap, err := pbxregistry.Secrets(srv.Client(), prefix).Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got := slices.Sorted(maps.Keys(snap.Entries)); !slices.Equal(got, []string{"branch-2", "hq"}) {
		t.Errorf("entries %v, want [branch-2 hq]", got)
	}
	if e := snap.Entries["hq"]; e.ClientSecret != hqSecret || e.WebhookSecret != hqWebhook || e.BaseURL != "https://hq:8088" {
		t.Errorf("hq = %v", e)
	}
	if snap.Entries["branch-2"].WebhookSecret != "" {
		t.Error("branch-2 has a webhook secret it was not given")
	}
	reasons := map[string]string{}
	for _, s := range snap.Skipped {
		reasons[strings.TrimPrefix(s.Name, prefix)] = s.Reason
		if strings.Contains(s.Reason, hqSecret) {
			t.Errorf("reason %q shows a secret", s.Reason)
		}
	}
	want := map[string]string{
		"Upper": "is not a PBX id", "nested/x": "is not a PBX id", "broken": "PBX broken: client_secret is required",
		"text": "PBX text: is not a JSON object", "empty": "no value stored",
	}
	for name, reason := range want {
		if !strings.Contains(reasons[name], reason) {
			t.Errorf("%s skipped for %q, want %q", name, reasons[name], reason)
		}
	}
	if len(reasons) != len(want) {
		t.Errorf("skipped %v, want %d", reasons, len(want))
	}
	if srv.Reads("recording-sync/other") != 0 || srv.Reads(prefix+"Upper") != 0 || srv.Reads(prefix+"hq") != 1 {
		t.Errorf("reads: other %d, Upper %d, hq %d; want 0, 0, 1", srv.Reads("recording-sync/other"), srv.Reads(prefix+"Upper"), srv.Reads(prefix+"hq"))
	}
}

// TestSecretsRegistry: a PBX whose secret is created is served, and one
// whose secret is deleted refused, within the refresh interval; while
// Secrets Manager fails, the registry keeps what it read last.
func TestSecretsRegistry(t *testing.T) {
	srv := secretstest.New()
	defer srv.Close()
	srv.Put(prefix+"hq", entryJSON("hq", hqSecret, hqWebhook))
	clock := clocktest.New(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))
	var seen reports
	reg, err := pbxregistry.New(t.Context(), pbxregistry.Secrets(srv.Client(), prefix),
		&pbxregistry.Options{Now: clock.Now, OnRead: seen.add})
	if err != nil {
		t.Fatal(err)
	}
	srv.Put(prefix+"branch", entryJSON("branch", "branch-secret-x", branchWebhook))
	srv.Delete(prefix + "hq")
	clock.Advance(pbxregistry.DefaultRefresh)
	if got := ids(t, reg); !slices.Equal(got, []string{"branch"}) {
		t.Errorf("after %v: %v, want [branch]", pbxregistry.DefaultRefresh, got)
	}
	if srv.Lists() != 2 {
		t.Errorf("%d ListSecrets, want 2", srv.Lists())
	}

	srv.FailWith("InternalServiceError")
	clock.Advance(pbxregistry.DefaultRefresh)
	if e, ok, err := reg.Lookup(t.Context(), "branch"); !ok || err != nil || e.WebhookSecret != branchWebhook {
		t.Errorf("while Secrets Manager fails: %v, %v, %v; want branch kept", e, ok, err)
	}
	if srv.Failures() != 1 {
		t.Errorf("%d injected failures fired, want 1", srv.Failures())
	}
	if rep := seen.last(); rep.Err == nil || !strings.Contains(rep.Err.Error(), "InternalServiceError") {
		t.Errorf("failed read reported as %+v", rep)
	}
}
