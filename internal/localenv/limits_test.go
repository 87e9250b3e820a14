package localenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakeCgroups points cgroupRoot at a directory laid out as the cgroup v1
// cpu and memory hierarchies are, for the duration of the test.
func fakeCgroups(t *testing.T) string {
	root := t.TempDir()
	for _, c := range []string{"cpu", "memory"} {
		if err := os.Mkdir(filepath.Join(root, c), 0o750); err != nil {
			t.Fatal(err)
		}
	}
	old := cgroupRoot
	cgroupRoot = root
	t.Cleanup(func() { cgroupRoot = old })
	return root
}

func readInt(t *testing.T, path string) int64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return n
}

// A function of 128 MB gets 128/1769 of a CPU and 128 MiB; a command
// started in its limits is moved into both cgroups before it runs, and
// runs with its own arguments and environment.
func TestLimitsShareOutCPUAndMemoryAsLambda(t *testing.T) {
	fakeCgroups(t)
	l, err := newLimits(128)
	if err != nil {
		t.Fatal(err)
	}
	if got := readInt(t, filepath.Join(l.cpu, "cpu.cfs_quota_us")); got != 7235 {
		t.Errorf("cpu.cfs_quota_us = %d, want 7235 (128/1769 of 100,000)", got)
	}
	if got := readInt(t, filepath.Join(l.cpu, "cpu.cfs_period_us")); got != 100_000 {
		t.Errorf("cpu.cfs_period_us = %d, want 100000", got)
	}
	if got := readInt(t, filepath.Join(l.memory, "memory.limit_in_bytes")); got != 128<<20 {
		t.Errorf("memory.limit_in_bytes = %d, want %d", got, 128<<20)
	}

	cmd := exec.Command("sh", "-c", `printf '%s %s %s' "$$" "$1" "$LIMITED"`, "sh", "an argument")
	cmd.Env = []string{"LIMITED=yes"}
	out, err := l.command(cmd).Output()
	if err != nil {
		t.Fatal(err)
	}
	pid, rest, _ := strings.Cut(string(out), " ")
	if rest != "an argument yes" {
		t.Errorf("the command saw %q, want its argument and environment", rest)
	}
	for _, dir := range []string{l.cpu, l.memory} {
		if got := strconv.FormatInt(readInt(t, filepath.Join(dir, "cgroup.procs")), 10); got != pid {
			t.Errorf("%s/cgroup.procs = %s, want the command's pid %s", filepath.Base(filepath.Dir(dir)), got, pid)
		}
	}

	if err := os.WriteFile(filepath.Join(l.memory, "memory.oom_control"), []byte("oom_kill_disable 0\nunder_oom 0\noom_kill 2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if n, err := l.OOMKills(); n != 2 || err != nil {
		t.Errorf("OOMKills = %d, %v; want 2", n, err)
	}
	if err := os.WriteFile(filepath.Join(l.cpu, "cpu.stat"), []byte("nr_periods 40\nnr_throttled 7\nthrottled_time 1500000000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if d, err := l.Throttled(); d != 1500*time.Millisecond || err != nil {
		t.Errorf("Throttled = %v, %v; want 1.5s", d, err)
	}
	for _, f := range []string{"cgroup.procs", "memory.oom_control", "memory.limit_in_bytes"} {
		_ = os.Remove(filepath.Join(l.memory, f)) // a real cgroup's files go with it
	}
	for _, f := range []string{"cgroup.procs", "cpu.cfs_quota_us", "cpu.cfs_period_us", "cpu.stat"} {
		_ = os.Remove(filepath.Join(l.cpu, f))
	}
	if err := l.remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(l.cpu); !os.IsNotExist(err) {
		t.Errorf("the cpu cgroup is still there: %v", err)
	}
}

// Without the hierarchies, newLimits says what it needs and leaves
// nothing behind.
func TestLimitsWithoutCgroups(t *testing.T) {
	root := fakeCgroups(t)
	if err := os.Remove(filepath.Join(root, "memory")); err != nil {
		t.Fatal(err)
	}
	_, err := newLimits(128)
	if err == nil || !strings.Contains(err.Error(), "cgroup v1 cpu and memory hierarchies writable") {
		t.Fatalf("newLimits = %v, want an error naming what it needs", err)
	}
	if left, _ := os.ReadDir(filepath.Join(root, "cpu")); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}
