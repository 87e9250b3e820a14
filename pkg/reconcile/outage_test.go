package reconcile_test

import (
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/reconcile"
)

// scheduledAt is the request of the scheduled event fired at fired.
func scheduledAt(t *testing.T, fired time.Time) reconcile.Request {
	t.Helper()
	event := `{"version":"0","id":"x","detail-type":"Scheduled Event","source":"aws.events","account":"123456789012","time":"` +
		fired.Format(time.RFC3339) + `","region":"eu-west-1","resources":["arn:aws:events:eu-west-1:123456789012:rule/r"],"detail":{}}`
	req, err := reconcile.Decode([]byte(event), reconcile.Trailing{Lookback: 26 * time.Hour, Settle: 10 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// A PBX unreachable for longer than the lookback: every scheduled run
// fails on its first page, yet once the PBX answers again the runs cover
// the whole outage, not only the last lookback.
func TestOutageLongerThanTheLookbackIsReconciled(t *testing.T) {
	e := newEnv(t, yeastartest.Options{MaxPageSize: 50})
	first := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	const outage = 40 // hourly runs, all failing
	// One recording every 30 minutes from the first window's start to the
	// last failed run's settle edge.
	recs := e.add(first.Add(-26*time.Hour+time.Minute), 30*time.Minute, 1, 2*(26+outage-1), nil)
	pbx := &refusingPBX{PBX: e.pbx, dead: deadClient(t)}
	pbx.refuse(1 << 30)
	fired := first
	for range outage {
		e.clock.Set(fired)
		if _, err := e.reconciler(pbx).Run(t.Context(), scheduledAt(t, fired)); err == nil {
			t.Fatalf("run at %s succeeded with the PBX unreachable", fired)
		}
		fired = fired.Add(time.Hour)
	}
	pbx.refuse(0)
	for i := 0; ; i++ {
		if i == 5 {
			t.Fatal("5 runs after the outage did not complete")
		}
		e.clock.Set(fired)
		res, err := e.reconciler(pbx).Run(t.Context(), scheduledAt(t, fired))
		if err != nil {
			t.Fatal(err)
		}
		fired = fired.Add(time.Hour)
		if res.Complete && res.Cursor == nil {
			break
		}
	}
	assertQueuedOnce(t, e.queue, ids(recs, func(int) bool { return true }))
}
