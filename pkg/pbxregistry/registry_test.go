package pbxregistry_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/clocktest"
	"github.com/recording-sync/recording-sync/pkg/pbxregistry"
)

// counting counts the reads of a source.
type counting struct {
	pbxregistry.Source
	reads atomic.Int32
}

func (c *counting) Read(ctx context.Context) (pbxregistry.Snapshot, error) {
	c.reads.Add(1)
	return c.Source.Read(ctx)
}

// reports collects what OnRead is told.
type reports struct {
	mu  sync.Mutex
	all []pbxregistry.Report
}

func (r *reports) add(_ context.Context, rep pbxregistry.Report) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.all = append(r.all, rep)
}

func (r *reports) last() pbxregistry.Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.all[len(r.all)-1]
}

func ids(t *testing.T, reg *pbxregistry.Registry) []string {
	t.Helper()
	got, err := reg.IDs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestRegistryRefresh: a PBX added to or removed from the file is served
// or refused once the refresh interval has passed, not before; an unknown
// id never makes the registry read its source; a read that fails keeps
// the PBXs read last and is reported.
func TestRegistryRefresh(t *testing.T) {
	path := writeFile(t, `{"hq":`+entryJSON("hq", hqSecret, hqWebhook)+`}`)
	src := &counting{Source: pbxregistry.File(path)}
	clock := clocktest.New(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))
	var seen reports
	reg, err := pbxregistry.New(t.Context(), src, &pbxregistry.Options{Refresh: time.Minute, Now: clock.Now, OnRead: seen.add})
	if err != nil {
		t.Fatal(err)
	}
	if rep := seen.last(); rep.Err != nil || len(rep.Entries) != 1 || rep.Entries[0].ClientSecret != hqSecret {
		t.Errorf("first report %+v, want hq with its secrets for the redactor", rep)
	}
	for range 100 {
		if _, ok, err := reg.Lookup(t.Context(), "guessed"); ok || err != nil {
			t.Fatalf("unknown id: %v, %v", ok, err)
		}
	}
	if n := src.reads.Load(); n != 1 {
		t.Errorf("%d reads after 100 unknown ids, want 1 (at start)", n)
	}

	writeAll(t, path, `{"branch":`+entryJSON("branch", "branch-secret-x", branchWebhook)+`}`)
	clock.Advance(59 * time.Second)
	if got := ids(t, reg); !slices.Equal(got, []string{"hq"}) {
		t.Errorf("before the interval: %v, want [hq]", got)
	}
	clock.Advance(time.Second)
	if got := ids(t, reg); !slices.Equal(got, []string{"branch"}) {
		t.Errorf("after the interval: %v, want [branch] (hq deleted, branch added)", got)
	}
	if _, ok, _ := reg.Lookup(t.Context(), "hq"); ok {
		t.Error("hq is still served after it was removed")
	}

	writeAll(t, path, `{"branch":{"base_url":"https://branch"}}`)
	clock.Advance(time.Minute)
	e, ok, err := reg.Lookup(t.Context(), "branch")
	if !ok || err != nil || e.WebhookSecret != branchWebhook {
		t.Errorf("after a failed read: %v, %v, %v; want branch kept", e, ok, err)
	}
	if rep := seen.last(); rep.Err == nil || !strings.Contains(rep.Err.Error(), "PBX branch: client_id is required") {
		t.Errorf("failed read reported as %+v, want its error", rep)
	}
	if n := src.reads.Load(); n != 3 {
		t.Errorf("%d reads, want 3", n)
	}
	// The failed read counts as a read: the next waits a whole interval.
	clock.Advance(30 * time.Second)
	ids(t, reg)
	if n := src.reads.Load(); n != 3 {
		t.Errorf("%d reads half an interval after a failed one, want 3", n)
	}
}

func writeAll(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestRegistryDefault: the environment's PBX is "default" whatever the
// source holds; a source's own "default" is skipped and said so; without a
// source, it is the only PBX and nothing is ever read.
func TestRegistryDefault(t *testing.T) {
	def := &pbxregistry.Entry{BaseURL: "https://pbx.example.com", ClientID: "env", ClientSecret: "env-secret-123"}
	path := writeFile(t, `{"default":`+entryJSON("other", hqSecret, "")+`,"hq":`+entryJSON("hq", hqSecret, "")+`}`)
	var seen reports
	reg, err := pbxregistry.New(t.Context(), pbxregistry.File(path), &pbxregistry.Options{Default: def, OnRead: seen.add})
	if err != nil {
		t.Fatal(err)
	}
	e, ok, _ := reg.Lookup(t.Context(), pbxregistry.Default)
	if !ok || e.ClientID != "env" || e.ID != pbxregistry.Default {
		t.Errorf("default = %v, %v; want the environment's", e, ok)
	}
	rep := seen.last()
	if len(rep.Skipped) != 1 || rep.Skipped[0].Name != "default" || len(rep.Entries) != 1 || rep.Entries[0].ID != "hq" {
		t.Errorf("report %+v, want hq read and the file's default skipped", rep)
	}
	if got := ids(t, reg); !slices.Equal(got, []string{"default", "hq"}) {
		t.Errorf("ids %v", got)
	}

	single, err := pbxregistry.New(t.Context(), nil, &pbxregistry.Options{Default: def})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(t, single); !slices.Equal(got, []string{"default"}) {
		t.Errorf("single-PBX ids %v, want [default]", got)
	}
}

// TestRegistryStartFails: a source that cannot be read at start is an
// error; a done context is the caller's error, not a lookup miss.
func TestRegistryStartFails(t *testing.T) {
	if _, err := pbxregistry.New(t.Context(), pbxregistry.File(writeFile(t, `{"Bad":{}}`)), nil); err == nil || !strings.Contains(err.Error(), `PBX "Bad"`) {
		t.Errorf("New with a bad id: %v", err)
	}
	reg, err := pbxregistry.New(t.Context(), pbxregistry.File(writeFile(t, `{}`)), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, _, err := reg.Lookup(ctx, "hq"); !errors.Is(err, context.Canceled) {
		t.Errorf("Lookup with a done context: %v, want context.Canceled", err)
	}
}

// TestRegistryRedact: the secrets of Default and of every entry read
// reach Options.Redact before OnRead hears of the read, so that a caller
// that logs the report has already registered them.
func TestRegistryRedact(t *testing.T) {
	def := &pbxregistry.Entry{BaseURL: "https://pbx.example.com", ClientID: "env", ClientSecret: "env-secret-123"}
	path := writeFile(t, `{"hq":`+entryJSON("hq", hqSecret, hqWebhook)+`}`)
	var given []string
	var atReport int
	opts := &pbxregistry.Options{Default: def,
		Redact: func(s string) { given = append(given, s) },
		OnRead: func(context.Context, pbxregistry.Report) { atReport = len(given) }}
	if _, err := pbxregistry.New(t.Context(), pbxregistry.File(path), opts); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"env-secret-123", hqSecret, hqWebhook} {
		if !slices.Contains(given[:atReport], s) {
			t.Errorf("secret %q... not given to Redact before OnRead (given %d of %d by then)", s[:3], atReport, len(given))
		}
	}
}
