package app

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/internal/apptest"
	"github.com/recording-sync/recording-sync/pkg/metrics"
	"github.com/recording-sync/recording-sync/pkg/redact"
)

// A PBX reached over plain http:// (allowed by PBX_ALLOW_HTTP) is warned
// of when a function loads its configuration (the copy function and the
// reconciler both start with LoadConfig); https:// is not.
func TestLoadConfigWarnsOfPlainHTTP(t *testing.T) {
	for _, url := range []string{"http://127.0.0.1:1", "https://127.0.0.1:1"} {
		t.Run(url, func(t *testing.T) {
			lookup := apptest.Use(t, apptest.Env(map[string]string{"PBX_BASE_URL": url, "PBX_ALLOW_HTTP": "true"}))
			var buf bytes.Buffer
			if _, _, err := LoadConfig(t.Context(), lookup, redact.New(), slog.New(slog.NewTextHandler(&buf, nil)), metrics.FunctionCopy); err != nil {
				t.Fatal(err)
			}
			warned := strings.Contains(buf.String(), "level=WARN") && strings.Contains(buf.String(), "unencrypted")
			if want := strings.HasPrefix(url, "http:"); warned != want {
				t.Errorf("warned = %v, want %v; log: %s", warned, want, buf.String())
			}
		})
	}
}
