package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRunServesUntilCancelled(t *testing.T) {
	out, stop := startRun(t, "-client-id", "id", "-client-secret", "secret", "-recording", "1:a.wav:1KiB")
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the listening line: %v", err)
	}
	base, ok := strings.CutPrefix(strings.TrimSpace(line), "PBX simulator listening on http://127.0.0.1:")
	if !ok || base == "" {
		t.Fatalf("line = %q", line)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()

	hc := &http.Client{Timeout: 5 * time.Second}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, "http://127.0.0.1:"+base+"/openapi/v1.0/get_token",
		strings.NewReader(`{"username":"id","password":"secret"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", "pbxsim-test")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		ErrCode int `json:"errcode"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.ErrCode != 0 {
		t.Fatalf("get_token: errcode %d, %v", body.ErrCode, err)
	}

	stop()
}

// startRun runs the command with args and an empty environment. It returns
// what the command prints, and stop, which cancels the run and fails t
// unless run returns nil soon after.
func startRun(t *testing.T, args ...string) (out io.Reader, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, stdout := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, args, func(string) string { return "" }, stdout, io.Discard)
		stdout.Close()
	}()
	return pr, func() {
		t.Helper()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("run = %v, want nil", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("run did not return after cancel")
		}
	}
}
