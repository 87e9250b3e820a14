package reconcile_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/reconcile"
	"github.com/recording-sync/recording-sync/pkg/recording"
)

// window is a backfill request over [from, to].
func window(t *testing.T, from, to time.Time) reconcile.Request {
	t.Helper()
	raw := `{"from":"` + from.Format(time.RFC3339) + `","to":"` + to.Format(time.RFC3339) + `"}`
	req, err := reconcile.Decode([]byte(raw), reconcile.Trailing{})
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestPresentAndMissingAcrossLocalMidnight(t *testing.T) {
	e := newEnv(t, yeastartest.Options{})
	// 15:50 UTC is 23:50 at the PBX: the recordings span two local dates,
	// so their keys span two day prefixes.
	start := time.Date(2026, 2, 10, 15, 50, 0, 0, time.UTC)
	stored := func(i int) bool { return i%3 == 0 }
	recs := e.add(start, time.Minute, 1, 30, stored)
	res, err := e.reconciler(nil).Run(t.Context(), window(t, start, start.Add(29*time.Minute)))
	if err != nil {
		t.Fatal(err)
	}
	if res.Listed != 30 || res.AlreadyStored != 10 || res.Queued != 20 || !res.Complete || res.Cursor != nil || res.Pages != 1 {
		t.Fatalf("result %+v", res)
	}
	assertQueuedOnce(t, e.queue, ids(recs, func(i int) bool { return !stored(i) }))
	// The queued item carries what the PBX said about the call.
	it := e.queue.items[0]
	if it.File != recs[1].File || it.CallFrom != "2001" || it.CallTo != "2002" || it.CallType != "Inbound" || it.UID != "uid-2" || it.Time != "02/10/2026 23:51:00" {
		t.Errorf("queued item %+v", it)
	}
	c := e.s3.counts()
	if c["HeadObject"] != 0 || c["ListObjectsV2"] != 2 {
		t.Errorf("S3 requests %v: want one listing per local date, no HEAD", c)
	}
}

func TestManyPagesUnderAPageSizeCap(t *testing.T) {
	e := newEnv(t, yeastartest.Options{MaxPageSize: 7})
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	recs := e.add(start, time.Minute, 100, 250, func(i int) bool { return i%10 == 0 })
	var progress []reconcile.Progress
	e.opts.OnPage = func(_ context.Context, p reconcile.Progress) { progress = append(progress, p) }
	res, err := e.reconciler(nil).Run(t.Context(), window(t, start, start.Add(250*time.Minute)))
	if err != nil {
		t.Fatal(err)
	}
	if res.Pages != 36 || res.Listed != 250 || res.AlreadyStored != 25 || res.Queued != 225 || !res.Complete {
		t.Fatalf("result %+v, want 36 pages of at most 7", res)
	}
	assertQueuedOnce(t, e.queue, ids(recs, func(i int) bool { return i%10 != 0 }))
	last := progress[len(progress)-1]
	if len(progress) != 36 || progress[0].Done != 7 || last.Done != 250 || last.Total != 250 {
		t.Errorf("progress: %d reports, first %+v, last %+v", len(progress), progress[0], last)
	}
	if n := e.sim.Stats().APIRequests["recording/search"]; n != 36 {
		t.Errorf("%d searches, want 36", n)
	}
}

func TestScheduledRunLeavesYoungRecordingsToTheirEvents(t *testing.T) {
	e := newEnv(t, yeastartest.Options{})
	fired := time.Date(2026, 4, 2, 12, 0, 0, 0, time.UTC)
	old := e.add(fired.Add(-27*time.Hour), 0, 1, 1, nil)            // before the lookback
	inside := e.add(fired.Add(-25*time.Hour), time.Hour, 2, 3, nil) // inside
	edge := e.add(fired.Add(-10*time.Minute), 0, 10, 1, nil)        // at the settle edge
	young := e.add(fired.Add(-9*time.Minute), 0, 11, 1, nil)        // younger than the settle time
	event := `{"version":"0","id":"x","detail-type":"Scheduled Event","source":"aws.events","account":"123456789012","time":"` +
		fired.Format(time.RFC3339) + `","region":"eu-west-1","resources":["arn:aws:events:eu-west-1:123456789012:rule/r"],"detail":{}}`
	req, err := reconcile.Decode([]byte(event), reconcile.Trailing{Lookback: 26 * time.Hour, Settle: 10 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if !req.Scheduled || !req.Window.From.Equal(fired.Add(-26*time.Hour)) || !req.Window.To.Equal(fired.Add(-10*time.Minute)) {
		t.Fatalf("request %+v", req)
	}
	res, err := e.reconciler(nil).Run(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	want := append(ids(inside, func(int) bool { return true }), int64(edge[0].ID))
	assertQueuedOnce(t, e.queue, want)
	if res.Listed != 4 || res.Queued != 4 {
		t.Errorf("result %+v; old %d and young %d must stay out", res, old[0].ID, young[0].ID)
	}
}

// slowPBX advances the reconciler's clock by step on every search, as if
// each took that long.
type slowPBX struct {
	reconcile.PBX
	clock *fakeClock
	step  time.Duration
}

func (p slowPBX) SearchRecordings(ctx context.Context, q yeastarQuery) (yeastarPage, error) {
	p.clock.Advance(p.step)
	return p.PBX.SearchRecordings(ctx, q)
}

func TestBackfillStopsBeforeDeadlineAndContinues(t *testing.T) {
	e := newEnv(t, yeastartest.Options{MaxPageSize: 50})
	start := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	recs := e.add(start, 5*time.Minute, 1, 1000, func(i int) bool { return i%4 == 0 })
	req := window(t, start, start.Add(1000*5*time.Minute))
	pbx := slowPBX{PBX: e.pbx, clock: e.clock, step: 10 * time.Minute}
	runs := 0
	for ; runs < 20; runs++ {
		// Each run has an hour: with the reserve, five pages fit.
		ctx, cancel := context.WithDeadline(t.Context(), e.clock.Now().Add(time.Hour))
		res, err := e.reconciler(pbx).Run(ctx, req)
		cancel()
		if err != nil {
			t.Fatalf("run %d: %v", runs, err)
		}
		if res.Complete {
			break
		}
		if res.Cursor == nil || res.Cursor.Page == 0 || res.Pages == 0 {
			t.Fatalf("run %d stopped without progress: %+v", runs, res)
		}
	}
	if runs < 3 {
		t.Fatalf("finished in %d runs: the deadline did not stop any", runs+1)
	}
	assertQueuedOnce(t, e.queue, ids(recs, func(i int) bool { return i%4 != 0 }))
}

func TestRepeatedRunsDoNotRequeueUntilRequeueAfter(t *testing.T) {
	e := newEnv(t, yeastartest.Options{})
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	recs := e.add(start, time.Minute, 1, 20, func(i int) bool { return i < 5 })
	req := window(t, start, start.Add(time.Hour))
	if _, err := e.reconciler(nil).Run(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(5 * time.Hour)
	// Meanwhile the copy function stored two of the queued recordings.
	k1, _ := e.keys.Key(recs[5].File, 6)
	k2, _ := e.keys.Key(recs[6].File, 7)
	e.store([]string{k1, k2})
	res, err := e.reconciler(nil).Run(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Queued != 0 || res.SkippedRecentlyQueued != 13 || res.AlreadyStored != 7 {
		t.Fatalf("second run %+v: nothing may be queued again within 6h", res)
	}
	assertQueuedOnce(t, e.queue, ids(recs, func(i int) bool { return i >= 5 }))
	e.clock.Advance(time.Hour + time.Second)
	res, err = e.reconciler(nil).Run(t.Context(), req)
	if err != nil || res.Queued != 13 {
		t.Fatalf("after 6h: %+v %v, want the 13 still missing queued again", res, err)
	}
}

func TestPBXFaultsMidWindowAreRetried(t *testing.T) {
	e := newEnv(t, yeastartest.Options{MaxPageSize: 10})
	start := time.Date(2026, 7, 7, 7, 0, 0, 0, time.UTC)
	recs := e.add(start, time.Minute, 1, 60, nil)
	faults := []int{yeastartest.ErrCodeInternal, yeastartest.ErrCodeTokenExpired, yeastartest.ErrCodeMaxLimitation}
	pbx := &refusingPBX{PBX: e.pbx, dead: deadClient(t)}
	e.opts.OnPage = func(_ context.Context, p reconcile.Progress) {
		switch {
		case p.Page <= len(faults):
			e.sim.FailAPI("recording/search", faults[p.Page-1], 2)
		case p.Page == 4:
			pbx.refuse(2) // the PBX is unreachable for two attempts
		}
	}
	res, err := e.reconciler(pbx).Run(t.Context(), window(t, start, start.Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Complete || res.Queued != 60 || res.Pages != 6 {
		t.Fatalf("result %+v", res)
	}
	assertQueuedOnce(t, e.queue, ids(recs, func(int) bool { return true }))
	if pbx.refused != 2 {
		t.Errorf("%d refused connections, want 2", pbx.refused)
	}
	if n := e.sim.Stats().Faults.API; n != 2*len(faults) {
		t.Errorf("%d API faults fired, want %d", n, 2*len(faults))
	}
}

func TestPermanentFaultLeavesTheCursor(t *testing.T) {
	e := newEnv(t, yeastartest.Options{MaxPageSize: 10})
	start := time.Date(2026, 7, 8, 7, 0, 0, 0, time.UTC)
	recs := e.add(start, time.Minute, 1, 50, nil)
	req := window(t, start, start.Add(time.Hour))
	e.opts.OnPage = func(_ context.Context, p reconcile.Progress) {
		if p.Page == 2 {
			e.sim.FailAPI("recording/search", yeastartest.ErrCodeAccessDenied, 1)
		}
	}
	res, err := e.reconciler(nil).Run(t.Context(), req)
	var inc *reconcile.IncompleteError
	if !errors.As(err, &inc) || !inc.Saved || res.Complete || res.Cursor == nil || res.Cursor.Page != 2 {
		t.Fatalf("run: %+v %v, want an IncompleteError with the cursor after page 2", res, err)
	}
	if n := e.sim.Stats().APIRequests["recording/search"]; n != 3 {
		t.Errorf("%d searches: a permanent error must not be retried", n)
	}
	if n := e.sim.Stats().Faults.API; n != 1 {
		t.Errorf("%d API faults fired, want 1", n)
	}
	e.opts.OnPage = nil
	res, err = e.reconciler(nil).Run(t.Context(), req)
	if err != nil || !res.Complete || res.Listed != 30 {
		t.Fatalf("second run %+v %v: want the remaining 30", res, err)
	}
	assertQueuedOnce(t, e.queue, ids(recs, func(int) bool { return true }))
}

func TestQueueFailureRecordsOnlyWhatWasQueued(t *testing.T) {
	e := newEnv(t, yeastartest.Options{})
	start := time.Date(2026, 8, 1, 10, 0, 0, 0, time.UTC)
	recs := e.add(start, time.Minute, 1, 25, nil)
	req := window(t, start, start.Add(time.Hour))
	e.queue.failIndex = 3
	_, err := e.reconciler(nil).Run(t.Context(), req)
	var inc *reconcile.IncompleteError
	if !errors.As(err, &inc) || inc.Result.Queued != 9 {
		t.Fatalf("run: %v, want an IncompleteError after 9 queued", err)
	}
	e.queue.failAll = true
	if _, err := e.reconciler(nil).Run(t.Context(), req); !errors.As(err, &inc) {
		t.Fatalf("unreachable queue: %v", err)
	}
	res, err := e.reconciler(nil).Run(t.Context(), req)
	if err != nil || res.Queued != 16 || res.SkippedRecentlyQueued != 9 {
		t.Fatalf("third run %+v %v", res, err)
	}
	assertQueuedOnce(t, e.queue, ids(recs, func(int) bool { return true }))
}

// TestKeyTemplateWithID: a key template whose {id} comes before any date
// is checked with a HEAD per recording; one whose {id} comes after the date
// is listed, once per PBX-local date.
func TestKeyTemplateWithID(t *testing.T) {
	for _, tt := range []struct {
		name, template string
		start          time.Time
		step           time.Duration
		heads, lists   int
		want           string
	}{
		// A HEAD per recording, and one more for each missing one: stored
		// in the other format (.mp3 for .wav) it would count as stored.
		{"id first uses HEAD", "calls/{id}/{file}", time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC), time.Minute,
			9, 0, "a HEAD per recording and per missing one's other format"},
		// The window starts at 23:30 at the PBX: two local dates.
		{"id after the date is listed", "recordings/{yyyy}/{mm}/{dd}/{id}-{file}", time.Date(2026, 9, 1, 15, 30, 0, 0, time.UTC), 10 * time.Minute,
			0, 2, "one listing per local date"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, yeastartest.Options{})
			var err error
			if e.keys, err = recording.ParseKeyTemplate(tt.template); err != nil {
				t.Fatal(err)
			}
			recs := e.add(tt.start, tt.step, 1, 6, func(i int) bool { return i%2 == 0 })
			res, err := e.reconciler(nil).Run(t.Context(), window(t, tt.start, tt.start.Add(time.Hour)))
			if err != nil || res.AlreadyStored != 3 || res.Queued != 3 {
				t.Fatalf("%+v %v", res, err)
			}
			assertQueuedOnce(t, e.queue, ids(recs, func(i int) bool { return i%2 == 1 }))
			if c := e.s3.counts(); c["HeadObject"] != tt.heads || c["ListObjectsV2"] != tt.lists {
				t.Errorf("S3 requests %v: want %s", c, tt.want)
			}
		})
	}
}
