package main

import (
	"encoding/json"
	"maps"
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

// fleetIDs are the PBXs of the fleet tests, beside the environment's own
// (default).
var fleetIDs = []string{"hq", "branch-1", "branch-2"}

// fleetStack is a stack whose reconciler serves a fleet from a registry
// file: each PBX holds perPBX recordings, every third missing from the
// bucket.
type fleetStack struct {
	*stack
	fleet   *yeastartest.Fleet
	missing map[string][]int // the ids the bucket lacks, by PBX
}

const perPBX = 12

// fleetKeys is the key template of the fleet tests: with more than one
// PBX, the keys name it.
const fleetKeys = "recordings/{pbx}/{yyyy}/{mm}/{dd}/{file}"

// newFleetStack starts the fleet (faults by id), writes its registry and
// starts the stack with it; the PBXs' recordings are made in the hours
// before fired, ids apart so that their keys differ.
func newFleetStack(t *testing.T, fired time.Time, faults map[string]yeastartest.Fault) *fleetStack {
	t.Helper()
	fs := &fleetStack{missing: map[string][]int{}}
	var specs []yeastartest.PBXSpec
	var all []yeastartest.Recording
	var skip []bool
	for i, id := range fleetIDs {
		var recs []yeastartest.Recording
		for j := range perPBX {
			rid := 100*(i+1) + j
			at := fired.Add(-5*time.Hour + time.Duration(j)*time.Minute)
			recs = append(recs, yeastartest.Recording{ID: rid, File: fileAt(at, rid), Size: 1024, CallFrom: "2001", CallTo: "2002", CallType: "Inbound"})
			if j%3 == 0 {
				fs.missing[id] = append(fs.missing[id], rid)
			}
			skip = append(skip, j%3 == 0)
		}
		all = append(all, recs...)
		specs = append(specs, yeastartest.PBXSpec{ID: id, Options: yeastartest.Options{TimeZone: pbxZone}, Recordings: recs, Fault: faults[id]})
	}
	fleet, path := localenvtest.StartFleet(t, specs)
	fs.fleet = fleet
	fs.stack = newStack(t, stackOptions{noCopy: true, extraEnv: []string{"PBX_REGISTRY_FILE=" + path, "RECORDINGS_KEY_TEMPLATE=" + fleetKeys}})
	// The environment's own PBX, default, has two recordings, one missing.
	def := fs.add(fired.Add(-4*time.Hour), time.Minute, 900, 2, 1024)
	pbxOf := func(i int) string {
		if i >= len(skip) {
			return "default"
		}
		return fleetIDs[i/perPBX]
	}
	storeAllButOf(t, fs.stack, fleetKeys, pbxOf, append(all, def...), func(i int) bool { return i < len(skip) && skip[i] || i == len(skip) })
	fs.missing["default"] = []int{900}
	return fs
}

// queued returns the queued message ids by PBX ("default" for none).
func (fs *fleetStack) queued(t *testing.T) map[string][]int {
	t.Helper()
	out := map[string][]int{}
	for _, m := range fs.sqs.Messages("recordings") {
		var msg struct {
			PBX string `json:"pbx"`
			ID  int    `json:"id"`
		}
		if err := json.Unmarshal([]byte(m.Body), &msg); err != nil {
			t.Fatalf("message %s: %v", m.Body, err)
		}
		if msg.PBX == "" {
			msg.PBX = "default"
		}
		out[msg.PBX] = append(out[msg.PBX], msg.ID)
	}
	for _, ids := range out {
		slices.Sort(ids)
	}
	return out
}

// searches counts the recording/search requests PBX id saw.
func (fs *fleetStack) searches(id string) int {
	return fs.fleet.PBX(id).Sim.Stats().APIRequests["recording/search"]
}

// fleetResult is the part of the answer a fleet's run adds.
type fleetResult struct {
	Queued   int  `json:"queued"`
	Complete bool `json:"complete"`
	PBXs     []struct {
		PBX      string `json:"pbx"`
		Queued   int    `json:"queued"`
		Complete bool   `json:"complete"`
	} `json:"pbxs"`
}

// One scheduled run covers the environment's PBX and the three of the
// registry: each PBX's missing recordings are queued, each message naming
// its PBX (the default PBX's naming none), each PBX's state in its own
// object.
func TestFleetScheduledRunCoversEveryPBX(t *testing.T) {
	fired := time.Now().Truncate(time.Minute)
	fs := newFleetStack(t, fired, nil)
	r := fs.run(t, scheduled(fired))
	var res fleetResult
	if err := json.Unmarshal(r.raw, &res); err != nil || r.ErrorType != "" || !res.Complete || len(res.PBXs) != 4 {
		t.Fatalf("run: %s", r.raw)
	}
	if got := fs.queued(t); !maps.EqualFunc(got, fs.missing, slices.Equal) {
		t.Errorf("queued by PBX %v, want %v", got, fs.missing)
	}
	for _, id := range fleetIDs {
		key := ".recording-sync/" + id + "/reconcile-state.json"
		if _, err := fs.s3.HeadObject(t.Context(), headInput(fs.bucket, key)); err != nil {
			t.Errorf("PBX %s's state %s: %v", id, key, err)
		}
	}
	if _, err := fs.s3.HeadObject(t.Context(), headInput(fs.bucket, ".recording-sync/reconcile-state.json")); err != nil {
		t.Errorf("the default PBX's state: %v", err)
	}
}

// A backfill naming one PBX searches that PBX alone; the other PBXs see no
// search. One naming a PBX the registry lacks is refused, naming it.
func TestFleetBackfillOfOnePBX(t *testing.T) {
	fired := time.Now().Truncate(time.Minute)
	fs := newFleetStack(t, fired, nil)
	payload := `{"pbx":"branch-1","from":"` + fired.Add(-6*time.Hour).UTC().Format(time.RFC3339) + `","to":"` + fired.UTC().Format(time.RFC3339) + `"}`
	r := fs.run(t, payload)
	if r.ErrorType != "" || !r.Complete || r.Queued != len(fs.missing["branch-1"]) {
		t.Fatalf("backfill: %s", r.raw)
	}
	if got := fs.queued(t); len(got) != 1 || !slices.Equal(got["branch-1"], fs.missing["branch-1"]) {
		t.Errorf("queued by PBX %v, want branch-1's %v alone", got, fs.missing["branch-1"])
	}
	for _, id := range fleetIDs {
		if n := fs.searches(id); (n > 0) != (id == "branch-1") {
			t.Errorf("PBX %s saw %d searches", id, n)
		}
	}
	if n := fs.sim.Stats().APIRequests["recording/search"]; n != 0 {
		t.Errorf("the default PBX saw %d searches", n)
	}
	r = fs.run(t, strings.Replace(payload, "branch-1", "branch-9", 1))
	if r.ErrorType != "InvalidInputError" || !strings.Contains(r.ErrorMessage, "PBX branch-9 is not configured") {
		t.Errorf("backfill of an unknown PBX: %s", r.raw)
	}
}

// One PBX down: the run still covers the others, fails naming the PBX,
// and counts the failure by PBX.
func TestFleetPBXDownDoesNotStopTheOthers(t *testing.T) {
	fired := time.Now().Truncate(time.Minute)
	fs := newFleetStack(t, fired, map[string]yeastartest.Fault{"branch-2": {Down: true}})
	offset := len(fs.out.String())
	r := fs.run(t, scheduled(fired))
	if r.ErrorType != "IncompleteError" || !strings.Contains(r.ErrorMessage, "PBX branch-2: ") || strings.Contains(r.ErrorMessage, "PBX hq") {
		t.Fatalf("run: %s, want an IncompleteError naming branch-2 alone", r.raw)
	}
	want := map[string][]int{"default": fs.missing["default"], "hq": fs.missing["hq"], "branch-1": fs.missing["branch-1"]}
	if got := fs.queued(t); !maps.EqualFunc(got, want, slices.Equal) {
		t.Errorf("queued by PBX %v, want %v", got, want)
	}
	totals, _, err := metricstest.ParseLog(fs.out.String()[offset:])
	if err != nil {
		t.Fatal(err)
	}
	fn := metrics.DimFunction + "=recording-reconcile"
	for _, id := range []string{"branch-2", "hq", "branch-1", "default"} {
		got, ok := totals[metricstest.Series{Namespace: metrics.DefaultNamespace, Name: metrics.ReconcileRunsFailed.Name, Dimensions: fn + ",pbx=" + id}]
		if want := id == "branch-2"; ok != want || ok && got != 1 {
			t.Errorf("ReconcileRunsFailed of PBX %s = %v (published %v), want 1 for branch-2 alone", id, got, ok)
		}
	}
	if n := fs.fleet.PBX("branch-2").Sim.Stats().APIRequests; len(n) != 0 {
		t.Errorf("the down PBX answered %v: the fault did not hold", n)
	}
	if got := totals.Get(metrics.DefaultNamespace, metrics.ReconcileRunsFailed.Name, fn); got != 1 {
		t.Errorf("ReconcileRunsFailed = %v, want 1", got)
	}
}

// headInput is a HEAD of key.
func headInput(bucket, key string) *s3.HeadObjectInput {
	return &s3.HeadObjectInput{Bucket: &bucket, Key: &key}
}
