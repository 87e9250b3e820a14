package reconcile

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

func TestQueuedRoundTripAndBounds(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	var st State
	for i := range MaxQueued + 500 {
		st.Queued.set(int64(1000+i*3), now.Add(-time.Duration(i/50)*time.Second).Unix())
	}
	st.Queued.set(7, now.Add(-7*time.Hour).Unix())
	st.Queued.prune(now, 6*time.Hour)
	if st.Queued.Len() != MaxQueued {
		t.Fatalf("%d entries after prune, want the bound %d", st.Queued.Len(), MaxQueued)
	}
	if st.Queued.recent(7, now, 6*time.Hour) || !st.Queued.recent(1000, now, 6*time.Hour) || st.Queued.recent(1000+(MaxQueued+499)*3, now, 6*time.Hour) {
		t.Error("prune kept the old entries or dropped the newest")
	}
	raw, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) > 2<<20 {
		t.Errorf("state of %d entries takes %d bytes", MaxQueued, len(raw))
	}
	var back State
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if back.Queued.Len() != st.Queued.Len() {
		t.Fatalf("round trip: %d entries, want %d", back.Queued.Len(), st.Queued.Len())
	}
	for id, at := range st.Queued.at {
		if back.Queued.at[id] != at {
			t.Fatalf("entry %d: %d, want %d", id, back.Queued.at[id], at)
		}
	}
	t.Logf("%d queued entries: %d bytes", st.Queued.Len(), len(raw))
}

func TestQueuedRejectsForeignForms(t *testing.T) {
	for _, raw := range []string{`{"ids":"!!","times":""}`, `{"ids":"AQ==","times":""}`, `{"ids":"AgI=","times":"AA=="}`, `{"ids":"AgA=","times":"AAA="}`, `{"ids":"Ag==","times":"AQ=="}`, `[]`} {
		var q Queued
		if err := json.Unmarshal([]byte(raw), &q); err == nil {
			t.Errorf("%s: accepted", raw)
		}
	}
}

// TestCursorsAreBounded: past MaxCursors the oldest scheduled cursor goes
// first (later scheduled windows overlap it), every unscheduled one stays;
// with no scheduled cursor left, the oldest of all goes.
func TestCursorsAreBounded(t *testing.T) {
	base := time.Unix(1_800_000_000, 0).UTC()
	win := func(i int) Window {
		return Window{From: base.Add(time.Duration(i) * time.Hour), To: base.Add(time.Duration(i+1) * time.Hour)}
	}
	kept := func(st State) []int {
		var out []int
		for _, c := range st.Cursors {
			out = append(out, int(c.Window.From.Sub(base)/time.Hour))
		}
		return out
	}
	var mixed State
	for i := range MaxCursors + 3 {
		mixed.setCursor(Cursor{Window: win(i), Scheduled: i%2 == 0, Page: 1})
	}
	// Windows 0, 2 and 4 are the three oldest scheduled ones.
	var want []int
	for i := range MaxCursors + 3 {
		if i != 0 && i != 2 && i != 4 {
			want = append(want, i)
		}
	}
	if got := kept(mixed); !slices.Equal(got, want) {
		t.Errorf("mixed cursors kept %v, want %v", got, want)
	}
	var unscheduled State
	for i := range MaxCursors + 2 {
		unscheduled.setCursor(Cursor{Window: win(i), Page: 1})
	}
	if got := kept(unscheduled); len(got) != MaxCursors || got[0] != 2 || got[MaxCursors-1] != MaxCursors+1 {
		t.Errorf("unscheduled cursors kept %v, want windows 2..%d", got, MaxCursors+1)
	}
}
