package localenv

import (
	"context"
	"errors"
	"net"
	"os/exec"
	"testing"
)

func TestProcessThatExitsBeforeListeningIsStartedAgainOnFreshPorts(t *testing.T) {
	var seen [][]string
	proc, addrs, err := startOnFreeAddrs(t.Context(), "server", nil, 2, func(addrs []string) *exec.Cmd {
		seen = append(seen, addrs)
		if len(seen) == 1 {
			return exec.Command("false") // as a process whose port was taken
		}
		l, err := net.Listen("tcp", addrs[0])
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		return exec.Command("sleep", "600") // alive, and its address listens
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = proc.stop() }()
	if len(seen) != 2 {
		t.Fatalf("started %d times, want 2", len(seen))
	}
	if addrs[0] != seen[1][0] || addrs[1] != seen[1][1] {
		t.Errorf("addresses %v, want the second attempt's %v", addrs, seen[1])
	}
	if seen[0][0] == seen[1][0] && seen[0][1] == seen[1][1] {
		t.Errorf("the second attempt reused the first one's addresses %v", seen[0])
	}
}

func TestProcessThatAlwaysExitsFailsAfterThreeStarts(t *testing.T) {
	starts := 0
	_, _, err := startOnFreeAddrs(t.Context(), "server", nil, 1, func([]string) *exec.Cmd {
		starts++
		return exec.Command("false")
	})
	if !errors.Is(err, errExitedEarly) {
		t.Fatalf("err = %v, want errExitedEarly", err)
	}
	if starts != startAttempts {
		t.Errorf("started %d times, want %d", starts, startAttempts)
	}
}

func TestStartGivenUpByItsContextIsNotRetried(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	starts := 0
	_, _, err := startOnFreeAddrs(ctx, "server", nil, 1, func([]string) *exec.Cmd {
		starts++
		return exec.Command("sleep", "600") // never listens
	})
	if !errors.Is(err, context.Canceled) || starts != 1 {
		t.Fatalf("err = %v after %d starts, want context.Canceled after 1", err, starts)
	}
}
