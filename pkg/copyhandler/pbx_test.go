package copyhandler

import (
	"errors"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/recording"
)

// TestOtherPBXNotConfigured: until the copy function serves many PBXs, an
// event or message naming a PBX other than the default fails with an
// InvalidInputError saying so, without a copy; "default" is served as
// before.
func TestOtherPBXNotConfigured(t *testing.T) {
	c := &fakeCopier{}
	_, lines, err := invoke(t, c, `{"pbx":"hq","id":1727}`)
	var inv *recording.InvalidInputError
	if !errors.As(err, &inv) || inv.Reason != "PBX hq is not configured" {
		t.Errorf("direct for hq: %v, want InvalidInputError \"PBX hq is not configured\"", err)
	}
	if len(lines) != 1 || lines[0]["msg"] != "recording not copied" {
		t.Errorf("log lines %v, want one \"recording not copied\"", lines)
	}

	out, _, err := invoke(t, c, `{"Records":[{"messageId":"m1","eventSource":"aws:sqs","body":"{\"pbx\":\"hq\",\"id\":1}"},`+
		`{"messageId":"m2","eventSource":"aws:sqs","body":"{\"pbx\":\"default\",\"id\":2}"}]}`)
	if err != nil || !strings.Contains(string(out), `"itemIdentifier":"m1"`) || strings.Contains(string(out), `"m2"`) {
		t.Errorf("batch answer %s, %v; want m1 failed, m2 copied", out, err)
	}
	if len(c.calls) != 1 || c.calls[0].ID != 2 || c.calls[0].PBX != "" {
		t.Errorf("copies %+v, want only the default PBX's id 2", c.calls)
	}
}
