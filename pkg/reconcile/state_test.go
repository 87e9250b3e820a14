package reconcile

import (
	"encoding/json"
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

func TestCursorsAreBounded(t *testing.T) {
	var st State
	base := time.Unix(1_800_000_000, 0).UTC()
	for i := range MaxCursors + 3 {
		w := Window{From: base.Add(time.Duration(i) * time.Hour), To: base.Add(time.Duration(i+1) * time.Hour)}
		st.setCursor(Cursor{Window: w, Scheduled: i%2 == 0, Page: 1})
	}
	if len(st.Cursors) != MaxCursors {
		t.Fatalf("%d cursors", len(st.Cursors))
	}
	for _, c := range st.Cursors[:1] {
		if c.Window.From.Equal(base) {
			t.Error("the oldest scheduled cursor was kept")
		}
	}
}
