package reconcile_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/reconcile"
	"github.com/recording-sync/recording-sync/pkg/recording"
)

const backfillWindow = `"from":"2026-03-01T00:00:00Z","to":"2026-03-02T00:00:00Z"`

// TestDecodeBackfillPBX: a backfill may name its PBX; a bad id is an
// InvalidInputError naming the field.
func TestDecodeBackfillPBX(t *testing.T) {
	for raw, want := range map[string]string{`{` + backfillWindow + `}`: "", `{"pbx":"hq",` + backfillWindow + `}`: "hq", `{"pbx":"default",` + backfillWindow + `}`: "default"} {
		req, err := reconcile.Decode([]byte(raw), trailing)
		if err != nil || req.PBX != want {
			t.Errorf("Decode(%s) = %+v, %v; want PBX %q", raw, req, err, want)
		}
	}
	for raw, want := range map[string]string{`{"pbx":"HQ",` + backfillWindow + `}`: `pbx "HQ" is not a PBX id`, `{"pbx":3,` + backfillWindow + `}`: `field "pbx" must be a string`} {
		_, err := reconcile.Decode([]byte(raw), trailing)
		var inv *recording.InvalidInputError
		if !errors.As(err, &inv) || !strings.Contains(err.Error(), want) {
			t.Errorf("Decode(%s) = %v, want an InvalidInputError naming %q", raw, err, want)
		}
	}
}

// TestBackfillOtherPBXNotConfigured: until the reconciler serves many
// PBXs, a backfill naming another fails with an InvalidInputError and
// runs nothing.
func TestBackfillOtherPBXNotConfigured(t *testing.T) {
	var logs bytes.Buffer
	runner := failingRunner{err: errors.New("the run was started")}
	h := reconcile.NewHandler(runner, trailing, slog.New(slog.NewJSONHandler(&logs, nil)), nil)
	_, err := h.Invoke(t.Context(), []byte(`{"pbx":"hq",`+backfillWindow+`}`))
	var inv *recording.InvalidInputError
	if !errors.As(err, &inv) || inv.Reason != "PBX hq is not configured" {
		t.Fatalf("Invoke = %v, want InvalidInputError \"PBX hq is not configured\"", err)
	}
	if !strings.Contains(logs.String(), `"msg":"invalid event"`) || strings.Contains(logs.String(), "reconcile started") {
		t.Errorf("log:\n%s\nwant one invalid event and no run", logs.String())
	}
	if _, err := h.Invoke(t.Context(), []byte(`{"pbx":"default",`+backfillWindow+`}`)); err == nil || !strings.Contains(err.Error(), "the run was started") {
		t.Errorf("backfill of the default PBX: %v, want the run started", err)
	}
}
