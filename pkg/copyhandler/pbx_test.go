package copyhandler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/copier"
	"github.com/recording-sync/recording-sync/pkg/recording"
)

// pbxCopier serves the PBXs it lists, as a copier with a registry does,
// and answers copier.NotConfigured for any other.
type pbxCopier struct {
	serves map[string]bool

	mu    sync.Mutex // a batch's records are copied concurrently
	calls []recording.Ref
}

func (c *pbxCopier) Copy(_ context.Context, ref recording.Ref) (recording.Result, error) {
	c.mu.Lock()
	c.calls = append(c.calls, ref)
	c.mu.Unlock()
	if id := recording.PBXOf(ref); !c.serves[id] {
		return recording.Result{ID: ref.ID}, copier.NotConfigured(id)
	}
	return recording.Result{ID: ref.ID, Key: "k"}, nil
}

// TestEachPBXGoesToTheCopier: the handler hands every reference to the
// copier with its PBX, so a copier serving hq copies hq's; a PBX the
// copier does not serve fails as invalid input ("PBX nowhere is not
// configured"), in a batch as that record's failure only.
func TestEachPBXGoesToTheCopier(t *testing.T) {
	c := &pbxCopier{serves: map[string]bool{recording.DefaultPBX: true, "hq": true}}
	var buf bytes.Buffer
	h := New(c, slog.New(slog.NewJSONHandler(&buf, nil)), nil)
	if _, err := h.Invoke(t.Context(), []byte(`{"pbx":"hq","id":1727}`)); err != nil {
		t.Errorf("direct for hq: %v", err)
	}
	_, err := h.Invoke(t.Context(), []byte(`{"pbx":"nowhere","id":1727}`))
	var inv *recording.InvalidInputError
	if !errors.As(err, &inv) || inv.Reason != "PBX nowhere is not configured" {
		t.Errorf("direct for nowhere: %v, want InvalidInputError \"PBX nowhere is not configured\"", err)
	}

	out, err := h.Invoke(t.Context(), []byte(`{"Records":[{"messageId":"m1","eventSource":"aws:sqs","body":"{\"pbx\":\"nowhere\",\"id\":1}"},`+
		`{"messageId":"m2","eventSource":"aws:sqs","body":"{\"pbx\":\"default\",\"id\":2}"},`+
		`{"messageId":"m3","eventSource":"aws:sqs","body":"{\"pbx\":\"hq\",\"id\":3}"}]}`))
	if err != nil || !strings.Contains(string(out), `"itemIdentifier":"m1"`) || strings.Contains(string(out), `"m2"`) || strings.Contains(string(out), `"m3"`) {
		t.Errorf("batch answer %s, %v; want m1 failed, m2 and m3 copied", out, err)
	}
	var got []string
	for _, ref := range c.calls {
		got = append(got, fmt.Sprintf("%q/%d", ref.PBX, ref.ID))
	}
	slices.Sort(got) // a batch's records are copied concurrently
	if want := []string{`""/2`, `"hq"/1727`, `"hq"/3`, `"nowhere"/1`, `"nowhere"/1727`}; !slices.Equal(got, want) {
		t.Errorf("the copier was given %v (pbx/id), want %v", got, want)
	}
	if n := strings.Count(buf.String(), `"errorType":"InvalidInputError"`); n != 2 {
		t.Errorf("%d InvalidInputError lines, want 2 (the direct and the batch record for nowhere):\n%s", n, buf.String())
	}
}
