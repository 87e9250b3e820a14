package localenv

import (
	"os"
	"path/filepath"
	"testing"
)

// A command name may hold spaces and parentheses: the fields start after
// its last ")".
func TestStatFields(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stat")
	line := "4321 (boot strap (x)) S 77 4321 4321 0 -1 4194560 900 0 0 0 250 31 0 0 20 0 9 0\n"
	if err := os.WriteFile(path, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	fields, err := statFields(path)
	if err != nil {
		t.Fatal(err)
	}
	if fields[0] != "S" || fields[1] != "77" || fields[11] != "250" || fields[12] != "31" {
		t.Errorf("state, ppid, utime, stime = %s %s %s %s; want S 77 250 31", fields[0], fields[1], fields[11], fields[12])
	}
	if err := os.WriteFile(path, []byte("4321 (short) S 77\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := statFields(path); err == nil {
		t.Error("statFields of a cut line succeeded")
	}
}
