package pbxregistry_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/pbxregistry"
)

const (
	hqSecret      = "hq-client-secret-do-not-print"
	hqWebhook     = "Zx8Q2mW7pL4kT9vB3nR6yH1cJ5dF0gS2"
	branchWebhook = "Qa1Ws2Ed3Rf4Tg5Yh6Uj7Ik8Ol9Pz0Xc"
)

// entryJSON is one PBX's JSON object; webhook may be empty.
func entryJSON(host, clientSecret, webhook string) string {
	s := `{"base_url":"https://` + host + `:8088/","client_id":"id-` + host + `","client_secret":"` + clientSecret + `"`
	if webhook != "" {
		s += `,"webhook_secret":"` + webhook + `"`
	}
	return s + "}"
}

func writeFile(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pbxs.json")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFile(t *testing.T) {
	path := writeFile(t, `{"hq":`+entryJSON("hq", hqSecret, hqWebhook)+`,"branch-2":`+entryJSON("branch", "branch-secret-x", branchWebhook)+`}`)
	snap, err := pbxregistry.File(path).Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	hq := snap.Entries["hq"]
	want := pbxregistry.Entry{ID: "hq", BaseURL: "https://hq:8088", ClientID: "id-hq", ClientSecret: hqSecret, WebhookSecret: hqWebhook}
	if len(snap.Entries) != 2 || hq != want || snap.Entries["branch-2"].WebhookSecret != branchWebhook {
		t.Errorf("entries %v, want hq %v and branch-2", snap.Entries, want)
	}
	if s := hq.String(); strings.Contains(s, hqSecret) || strings.Contains(s, hqWebhook) || !strings.Contains(s, "hq") {
		t.Errorf("String() = %q: want the id, not the secrets", s)
	}
}

// TestFileRefused: a bad id or entry fails the read with a line naming the
// id and the field, never a value.
func TestFileRefused(t *testing.T) {
	cases := []struct{ name, text, want string }{
		{"upper-case id", `{"HQ":` + entryJSON("hq", hqSecret, "") + `}`, `PBX "HQ": not an id`},
		{"id too long", `{"` + strings.Repeat("a", 33) + `":` + entryJSON("hq", hqSecret, "") + `}`, "not an id"},
		{"no client_secret", `{"hq":{"base_url":"https://hq","client_id":"x"}}`, "PBX hq: client_secret is required"},
		{"no base_url", `{"hq":{"client_id":"x","client_secret":"` + hqSecret + `"}}`, "PBX hq: base_url is required"},
		{"base_url not a URL", `{"hq":{"base_url":"hq:8088","client_id":"x","client_secret":"` + hqSecret + `"}}`, "PBX hq: base_url must be"},
		{"unknown field", `{"hq":{"base_url":"https://hq","client_id":"x","client_secret":"` + hqSecret + `","token":"y"}}`, `unknown field "token"`},
		{"secret not a string", `{"hq":{"base_url":"https://hq","client_id":"x","client_secret":7}}`, "found a JSON number in field client_secret"},
		{"ca_cert not PEM", `{"hq":{"base_url":"https://hq","client_id":"x","client_secret":"` + hqSecret + `","ca_cert":"x"}}`, "PBX hq: ca_cert holds no PEM"},
		{"broken JSON", `{"hq":{"base_url":"https://hq","client_secret":"` + hqSecret + `"`, "invalid JSON at byte"},
		{"not an object", `["hq"]`, "not a JSON object of PBXs by id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := pbxregistry.File(writeFile(t, tc.text)).Read(t.Context())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one naming %q", err, tc.want)
			}
			if strings.Contains(err.Error(), hqSecret) {
				t.Errorf("error %q shows a secret", err)
			}
		})
	}
	_, err := pbxregistry.File(filepath.Join(t.TempDir(), "none.json")).Read(t.Context())
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v, want ErrNotExist", err)
	}
}
