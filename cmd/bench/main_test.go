package main

import (
	"io"
	"os"
	"strings"
	"testing"
)

// TestMain lets the test binary play the child, as the bench binary does:
// the end-to-end test re-executes it with the hidden subcommand.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == childCommand {
		if err := runChild(os.Args[2:], os.Stdout); err != nil {
			_, _ = os.Stderr.WriteString("bench: " + err.Error() + "\n") // exiting 1 says it anyway
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestEndToEnd measures a 1 MiB recording with methods 1 to 3 against the
// real stack: versitygw over HTTPS with its access log, the PBX simulator.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the S3 server")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	o, err := parseOptions([]string{"-sizes", "1MiB", "-memory", "128", "-methods", "function,uploader,ceiling", "-cold=false"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	b, err := startBench(t.Context(), exe, "", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer b.close(false)
	jobs := plan(o.sizes, o.memories, o.methods, o.fnEnv)
	if len(jobs) != 3 {
		t.Fatalf("plan: %v, want 3 jobs", jobs)
	}
	// Two rounds of the three jobs; each result sums up its two runs.
	results, err := b.measureRounds(t.Context(), jobs, 2, "", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		j := jobs[i]
		t.Log(progressLine(r))
		if r.Runs != 2 && r.Err == "" {
			t.Errorf("%s: %d runs summed up, want 2", r.label(), r.Runs)
		}
		if r.Err != "" || r.Skipped != "" {
			t.Fatalf("%s: %s%s", r.label(), r.Err, r.Skipped)
		}
		if r.CPU <= 0 || r.Wall <= 0 || r.MaxRSS < 1<<20 {
			t.Errorf("%s: CPU %v, wall %v, peak RSS %d: want all positive", r.label(), r.CPU, r.Wall, r.MaxRSS)
		}
		// 1 MiB is below the 5 MiB part size: one PutObject, whoever copies.
		if r.S3["PutObject"] < 1 || r.S3["UploadPart"] != 0 {
			t.Errorf("%s: S3 requests %v, want a PutObject and no parts", r.label(), r.S3)
		}
		wantDownloads := 1
		if j.Method == methodCeiling {
			wantDownloads = 0
		}
		if r.PBX["download"] != wantDownloads {
			t.Errorf("%s: PBX requests %v, want %d download", r.label(), r.PBX, wantDownloads)
		}
		if r.ReadCalls == 0 || r.WriteCalls == 0 {
			t.Errorf("%s: %d reads and %d writes, want both counted", r.label(), r.ReadCalls, r.WriteCalls)
		}
		if r.WriteBytes != 0 {
			t.Errorf("%s: wrote %d bytes to disk, want none", r.label(), r.WriteBytes)
		}
	}
	md := renderReport(report{Results: results, Command: "test"})
	if !strings.Contains(md, "| 1 MiB | 1. function (copyapp.Build + Handler.Invoke), 128 MB | ") {
		t.Errorf("report lacks the function's row:\n%s", md)
	}
}
