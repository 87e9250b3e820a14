package main

import (
	"errors"
	"fmt"
	"maps"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/internal/localenv/localenvtest"
	"github.com/recording-sync/recording-sync/internal/metricstest"
	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/metrics"
)

// The file every fleet PBX holds under the same name and id (with a size of
// its own): yeastartest.FleetRecordings.
const (
	fleetSharedFile = "20240105093000-1704447000.1-2001-2002-Internal.wav"
	fleetSharedID   = 1001
	fleetKeys       = "recordings/{pbx}/{yyyy}/{file}"
)

// fleetStack is one function instance serving every PBX of a fleet
// through PBX_REGISTRY_FILE, with a fresh bucket.
type fleetStack struct {
	*stack
	fleet *yeastartest.Fleet
}

func newFleetStack(t testing.TB, specs []yeastartest.PBXSpec, template string, extraEnv ...string) *fleetStack {
	t.Helper()
	fleet, path := localenvtest.StartFleet(t, specs)
	st := startStack(t, s3Server, "fleet", 0, func(bucket string) []string {
		return append(append(s3Server.Env(), "PBX_REGISTRY_FILE="+path, "PBX_ALLOW_HTTP=true",
			"RECORDINGS_BUCKET="+bucket, "RECORDINGS_KEY_TEMPLATE="+template), extraEnv...)
	})
	return &fleetStack{stack: st, fleet: fleet}
}

// fleetMessage is the queue message of a fleet PBX's shared recording.
func fleetMessage(pbx string) string {
	return fmt.Sprintf(`{"pbx":%q,"id":%d}`, pbx, fleetSharedID)
}

// TestFleetCopiesEachPBXUnderItsOwnKey: one SQS batch names the same
// recording on three PBXs and on a PBX that is not configured: each PBX's
// copy is stored under its own {pbx} key, with x-amz-meta-pbx, the bytes of
// its own PBX, through a token object per PBX that its own PBX issued; the
// unknown PBX fails as invalid input, counted under its pbx in the
// function's metrics (and no copied PBX is).
func TestFleetCopiesEachPBXUnderItsOwnKey(t *testing.T) {
	ids := []string{"hq", "branch-1", "branch-2"}
	var specs []yeastartest.PBXSpec
	for _, id := range ids {
		specs = append(specs, yeastartest.PBXSpec{ID: id})
	}
	fs := newFleetStack(t, specs, fleetKeys, "BATCH_CONCURRENCY=4")
	failed := fs.invokeBatch(t, sqsBatch(fleetMessage("hq"), fleetMessage("branch-1"), fleetMessage("branch-2"), fleetMessage("nowhere")))
	if !slices.Equal(failed, []string{"m4"}) {
		t.Fatalf("batch failures %v, want only m4 (the unknown PBX)", failed)
	}
	if !strings.Contains(fs.out.String(), "PBX nowhere is not configured") || !strings.Contains(fs.out.String(), `"errorType":"InvalidInputError"`) {
		t.Errorf("no InvalidInputError line for the unknown PBX in:\n%s", fs.out.String())
	}
	checkFailuresByPBX(t, fs.out.String(), map[string]float64{"nowhere": 1})
	for i, id := range ids {
		key := "recordings/" + id + "/2024/" + fleetSharedFile
		sum, size := fs.objectSHA256(t, key)
		if want := int64(i+1) << 16; size != want || sum != sourceSHA256(t, fleetSharedFile, want) {
			t.Errorf("%s: %d bytes (sha256 %s), want the %d bytes of PBX %s", key, size, sum, want, id)
		}
		head, err := fs.s3.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: &fs.bucket, Key: &key})
		if err != nil {
			t.Fatalf("head %s: %v", key, err)
		}
		if got := head.Metadata["pbx"]; got != id {
			t.Errorf("%s: x-amz-meta-pbx %q, want %q", key, got, id)
		}
		tokenKey := ".recording-sync/" + id + "/pbx-token.json"
		if _, err := fs.s3.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: &fs.bucket, Key: &tokenKey}); err != nil {
			t.Errorf("token object %s: %v", tokenKey, err)
		}
		if n := fs.fleet.PBX(id).Sim.Stats().TokensIssued; n != 1 {
			t.Errorf("PBX %s issued %d tokens, want 1 (its own)", id, n)
		}
	}
	fs.assertNothingStoredBut(t, len(ids))
}

// isolationFleet is 10 PBXs: pbx-1 down, pbx-2 answering every API call
// after 1 s, pbx-3 with wrong credentials, the 7 others healthy.
func isolationFleet() []yeastartest.PBXSpec {
	var specs []yeastartest.PBXSpec
	for i, id := range yeastartest.FleetIDs(10) {
		spec := yeastartest.PBXSpec{ID: id}
		switch i {
		case 0:
			spec.Fault.Down = true
		case 1:
			spec.Fault.Slow = time.Second
		case 2:
			spec.Fault.WrongCredentials = true
		}
		specs = append(specs, spec)
	}
	return specs
}

// TestFleetIsolation: in one batch naming all 10 PBXs of isolationFleet,
// the 7 healthy PBXs' recordings are all stored; the down PBX's and the
// wrong-credentials PBX's fail with their own errors; the slow PBX's is
// stored too (1 s per call is slow, not broken); the wrong-credentials PBX
// saw fewer than 5 logins, after several batches.
func TestFleetIsolation(t *testing.T) {
	fs := newFleetStack(t, isolationFleet(), fleetKeys, "BATCH_CONCURRENCY=10")
	var bodies []string
	for _, id := range yeastartest.FleetIDs(10) {
		bodies = append(bodies, fleetMessage(id))
	}
	for round := 1; round <= 3; round++ {
		failed := fs.invokeBatch(t, sqsBatch(bodies...))
		if !slices.Equal(failed, []string{"m1", "m3"}) {
			t.Fatalf("round %d: batch failures %v, want m1 (down) and m3 (wrong credentials)", round, failed)
		}
	}
	out := fs.out.String()
	for _, want := range []string{`"errorType":"RetryableError"`, "pbx pbx-1", `"errorType":"PermanentError"`, "pbx pbx-3", "get_token: errcode -1"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	for i, id := range yeastartest.FleetIDs(10) {
		if i == 0 || i == 2 {
			continue
		}
		key := "recordings/" + id + "/2024/" + fleetSharedFile
		if _, size := fs.objectSHA256(t, key); size != int64(i+1)<<16 {
			t.Errorf("%s: %d bytes, want %d", key, size, int64(i+1)<<16)
		}
	}
	if n := fs.fleet.PBX("pbx-2").Faults().Slowed; n == 0 {
		t.Error("the slow PBX slowed no call: the fault never fired")
	}
	if f := fs.fleet.PBX("pbx-3").Faults(); f.FailedLogins == 0 || f.FailedLogins+f.BlockedLogins >= 5 {
		t.Errorf("the wrong-credentials PBX saw %d failed and %d blocked logins, want at least 1 and fewer than 5 in all", f.FailedLogins, f.BlockedLogins)
	}
	fs.assertNothingStoredBut(t, 8)
}

// TestFleetRefusesKeysWithoutPBX: two PBXs and a key template without
// {pbx}: the bootstrap exits at once with one line saying why.
func TestFleetRefusesKeysWithoutPBX(t *testing.T) {
	_, path := localenvtest.StartFleet(t, []yeastartest.PBXSpec{{ID: "hq"}, {ID: "branch"}})
	cmd := exec.CommandContext(t.Context(), bootstrapPath)
	cmd.Env = append(s3Server.Env(), "PBX_REGISTRY_FILE="+path, "PBX_ALLOW_HTTP=true", "RECORDINGS_BUCKET=b",
		"RECORDINGS_KEY_TEMPLATE=recordings/{file}")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("bootstrap: %v, want exit status 1\n%s", err, out)
	}
	if !strings.Contains(string(out), `RECORDINGS_KEY_TEMPLATE \"recordings/{file}\" has no {pbx}, but 2 PBXs are configured`) &&
		!strings.Contains(string(out), `RECORDINGS_KEY_TEMPLATE "recordings/{file}" has no {pbx}, but 2 PBXs are configured`) {
		t.Errorf("output does not say why:\n%s", out)
	}
}

// checkFailuresByPBX checks the RecordingsFailed series of the function's
// output: by pbx, exactly want (pbx to failures); in total, and by
// errorType InvalidInputError, their sum.
func checkFailuresByPBX(t *testing.T, out string, want map[string]float64) {
	t.Helper()
	totals, _, err := metricstest.ParseLog(out)
	if err != nil {
		t.Fatal(err)
	}
	fn := metrics.DimFunction + "=recording-sync" // localenv's AWS_LAMBDA_FUNCTION_NAME
	got, sum := map[string]float64{}, 0.0
	for s, v := range totals {
		if pbx, ok := strings.CutPrefix(s.Dimensions, fn+","+metrics.DimPBX+"="); ok && s.Name == metrics.RecordingsFailed.Name {
			got[pbx] = v
		} else if strings.Contains(s.Dimensions, metrics.DimPBX+"=") {
			t.Errorf("%s{%s} = %v: only RecordingsFailed is published by pbx", s.Name, s.Dimensions, v)
		}
	}
	for _, v := range want {
		sum += v
	}
	if !maps.Equal(got, want) {
		t.Errorf("RecordingsFailed by pbx = %v, want %v", got, want)
	}
	ns := metrics.DefaultNamespace
	if total, byType := totals.Get(ns, metrics.RecordingsFailed.Name, fn), totals.Get(ns, metrics.RecordingsFailed.Name, fn, "errorType=InvalidInputError"); total != sum || byType != sum {
		t.Errorf("RecordingsFailed = %v, by errorType InvalidInputError %v; want %v each", total, byType, sum)
	}
}
