package fault

import "testing"

// TestList: faults strike their key's requests in the order armed, a
// counted one only that often, one armed until Disarm every time; what
// fired stays counted after Disarm.
func TestList(t *testing.T) {
	var l List[string]
	if _, ok := l.Take("send"); ok {
		t.Fatal("the empty list struck")
	}
	l.Arm("send", 2, "throttled")
	l.Arm("send", 1, "outage")
	l.Arm("part 2", Every, "500")
	for i, want := range []string{"throttled", "throttled", "outage"} {
		if f, ok := l.Take("send"); !ok || f != want {
			t.Errorf("send %d: %q, %v; want %q", i, f, ok, want)
		}
	}
	if f, ok := l.Take("send"); ok {
		t.Errorf("a fourth send struck by %q, want none left", f)
	}
	for range 5 {
		if f, ok := l.Take("part 2"); !ok || f != "500" {
			t.Fatalf("part 2: %q, %v; want 500 until disarmed", f, ok)
		}
	}
	l.Disarm()
	if _, ok := l.Take("part 2"); ok {
		t.Error("struck after Disarm")
	}
	if l.Fired("send") != 3 || l.Fired("part 2") != 5 || l.Fired("other") != 0 || l.Total() != 8 {
		t.Errorf("fired send %d, part 2 %d, total %d; want 3, 5, 8", l.Fired("send"), l.Fired("part 2"), l.Total())
	}
}
