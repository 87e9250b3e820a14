package copyhandler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/recording-sync/recording-sync/pkg/copier"
	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// later is a receive that is no longer handed back.
const later = HandBackReceives + 1

// received is an SQS record of the queue "recordings": its body, its
// receive count.
type received struct {
	body     string
	receives int
}

func receivedEvent(recs ...received) string {
	out := make([]string, len(recs))
	for i, r := range recs {
		quoted, _ := json.Marshal(r.body)
		out[i] = fmt.Sprintf(`{"messageId":"m%d","receiptHandle":"h%d","body":%s,"eventSource":"aws:sqs",`+
			`"eventSourceARN":"arn:aws:sqs:eu-west-1:123456789012:recordings","attributes":{"ApproximateReceiveCount":"%d"}}`,
			i+1, i+1, quoted, r.receives)
	}
	return `{"Records":[` + strings.Join(out, ",") + `]}`
}

// TestHandBack runs batches whose .mp3s (ids 2 and 3; 4 and 5 for a
// while) find the PBX busy:
// once nothing else in the batch runs, it is handed back on its first
// HandBackReceives receives and named as failed, and the invocation ends;
// otherwise it waits inside the invocation, as long as its deadline allows.
func TestHandBack(t *testing.T) {
	const deadline = time.Minute
	tests := []struct {
		name     string
		records  []received
		idleAt   time.Duration // when the PBX stops being busy for id 2; 0: never
		queue    string        // the Returner's queue; "": no Returner
		fail     error         // the Returner's answer
		wantBack []returned
		wantFail []string
		wantTook time.Duration // within 3 s (backoff jitter); -1: until the deadline, less the copy's reserve
		slots    int           // BatchConcurrency; 0: the default, 5
	}{
		{"handed back once the rest is done", []received{{`{"id":1}`, 1}, {`{"id":2}`, 1}}, 0, "recordings", nil,
			[]returned{{"h2", HandBackAfter}}, []string{"m2"}, 6 * time.Second, 0},
		{"two waiting, handed back together", []received{{`{"id":2}`, HandBackReceives}, {`{"id":1}`, 1}, {`{"id":3}`, 1}}, 0, "recordings", nil,
			[]returned{{"h1", HandBackAfter}, {"h3", HandBackAfter}}, []string{"m1", "m3"}, 6 * time.Second, 0},
		{"PBX idle before the rest ends: copied once it does", []received{{`{"id":1}`, 1}, {`{"id":2}`, 1}}, 2 * time.Second, "recordings", nil,
			nil, nil, 6 * time.Second, 0},
		{"PBX idle as the rest ends: the attempt after the release copies it", []received{{`{"id":1}`, 1}, {`{"id":2}`, 1}}, 6 * time.Second, "recordings", nil,
			nil, nil, 6 * time.Second, 0},
		{"a later receive waits the PBX out", []received{{`{"id":1}`, 1}, {`{"id":2}`, later}}, 0, "recordings", nil,
			nil, []string{"m2"}, -1, 0},
		{"a later receive waiting out a backoff holds no other back", []received{{`{"id":3}`, 1}, {`{"id":2}`, later}}, 20 * time.Second, "recordings", nil,
			[]returned{{"h1", HandBackAfter}}, []string{"m1"}, 20 * time.Second, 0},
		{"a later receive waiting to the deadline holds no other back", []received{{`{"id":2}`, 1}, {`{"id":3}`, later}}, 0, "recordings", nil,
			[]returned{{"h1", HandBackAfter}}, []string{"m1", "m2"}, -1, 0},
		{"record of another queue waits", []received{{`{"id":1}`, 1}, {`{"id":2}`, 1}}, 0, "other", nil,
			nil, []string{"m2"}, -1, 0},
		{"no Returner: waits", []received{{`{"id":1}`, 1}, {`{"id":2}`, 1}}, 0, "", nil,
			nil, []string{"m2"}, -1, 0},
		{"one slot: each handed back at its second busy answer", []received{{`{"id":2}`, 1}, {`{"id":3}`, 1}}, 0, "recordings", nil,
			[]returned{{"h1", HandBackAfter}, {"h2", HandBackAfter}}, []string{"m1", "m2"}, 0, 1},
		{"alone and refused once: asks again after the backoff, not handed back", []received{{`{"id":8}`, 1}}, 0, "recordings", nil,
			nil, nil, 0, 0},
		{"an .mp3 refused in the turn of its first ask: handed back at once", []received{{`{"id":8,"file":"20220412173331-8.mp3"}`, 1}}, 0, "recordings", nil,
			[]returned{{"h1", HandBackAfter}}, []string{"m1"}, 0, 0},
		{"another PBX's download does not hold it", []received{{`{"id":1}`, 1}, {`{"pbx":"pbx2","id":5}`, 1}}, 0, "recordings", nil,
			[]returned{{"h2", HandBackAfter}}, []string{"m2"}, 6 * time.Second, 0},
		{"refused otherwise after the release: a failure, not handed back", []received{{`{"id":1}`, 1}, {`{"id":4}`, 1}}, 0, "recordings", nil,
			nil, []string{"m2"}, 6 * time.Second, 0},
		{"hand-back refused: still failed, for the queue to redeliver", []received{{`{"id":2}`, 1}}, 0, "recordings", errors.New("AccessDenied"),
			[]returned{{"h1", HandBackAfter}}, []string{"m1"}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				pbx := &busyPBX{busyUntil: map[int64]time.Time{2: {}, 3: {}, 4: time.Now().Add(time.Second), 5: time.Now().Add(3 * time.Second), 8: time.Now().Add(500 * time.Millisecond)},
					then: map[int64]error{4: &yeastar.APIError{Op: "recording/download", Code: yeastar.CodeAccessDenied}},
					slow: map[int64]time.Duration{1: 6 * time.Second}, links: map[int64]int{}}
				if tt.idleAt > 0 {
					pbx.busyUntil[2] = time.Now().Add(tt.idleAt)
				}
				keys, _ := recording.ParseKeyTemplate("")
				c := copier.NewCopierOf(pbx, discardStore{}, "b", keys, &copier.Options{
					BusyRetry: recording.RetryPolicy{Attempts: 3, Base: time.Second, Max: 2 * time.Second},
				})
				opts := &Options{BatchConcurrency: tt.slots}
				ret := &fakeReturner{queue: tt.queue, err: tt.fail}
				if tt.queue != "" {
					opts.Returner = ret
				}
				ctx, cancel := context.WithTimeout(t.Context(), deadline)
				defer cancel()
				start := time.Now()

				out, lines, err := invokeBatch(t, ctx, c, opts, receivedEvent(tt.records...))
				took := time.Since(start)
				if err != nil {
					t.Fatalf("Invoke = %v", err)
				}
				if want := failures(tt.wantFail...); string(out) != want {
					t.Errorf("answer = %s, want %s", out, want)
				}
				slices.SortFunc(ret.got, func(a, b returned) int { return strings.Compare(a.handle, b.handle) })
				if !slices.Equal(ret.got, tt.wantBack) {
					t.Errorf("handed back %+v, want %+v", ret.got, tt.wantBack)
				}
				if strings.HasPrefix(tt.name, "a later receive") && ret.last.Sub(start) > 3*time.Second {
					t.Errorf("handed back after %v, want at once: the later receive holds it back", ret.last.Sub(start))
				}
				if tt.wantTook >= 0 && (took < tt.wantTook || took >= tt.wantTook+3*time.Second) || tt.wantTook < 0 && took < deadline-10*time.Second {
					t.Errorf("the invocation took %v, want %v (-1: until the deadline's reserve)", took, tt.wantTook)
				}
				back := 0
				for id, l := range byMessageID(t, lines) {
					if l["msg"] != "recording handed back to the queue: the PBX is busy" {
						if slices.Contains(tt.wantFail, id) && (l["msg"] != "recording not copied" || l["errorType"] == nil) {
							t.Errorf("line for %s = %v, want a failure with its errorType", id, l)
						}
						continue
					}
					back++
					if l["level"] != "INFO" || l["errorType"] != nil || l["returnAfterS"] != float64(10) {
						t.Errorf("line for %s = %v, want an INFO line without errorType, returnAfterS 10", id, l)
					}
				}
				if tt.fail == nil && back != len(tt.wantBack) {
					t.Errorf("%d lines say handed back, want %d", back, len(tt.wantBack))
				}
				if tt.fail != nil {
					l := byMessageID(t, lines)["m1"]
					if l["msg"] != "recording not copied" || !strings.Contains(fmt.Sprint(l["handBackError"]), "AccessDenied") {
						t.Errorf("line = %v, want the failure, with why it was not handed back", l)
					}
				}
			})
		})
	}
}

// TestMP3sTakeTurns runs a batch of a .wav and two .mp3s (by name) from a
// PBX that refuses an .mp3 while another download is served: the .mp3s
// ask it only once the .wav is done, one at a time, so that none is
// refused or handed back, on a first receive as on a later one.
func TestMP3sTakeTurns(t *testing.T) {
	for _, receives := range []int{1, later} {
		t.Run(fmt.Sprint("receive ", receives), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				pbx := &busyPBX{mp3: map[int64]bool{6: true, 7: true}, links: map[int64]int{},
					slow: map[int64]time.Duration{1: 6 * time.Second, 6: time.Second, 7: time.Second}}
				keys, _ := recording.ParseKeyTemplate("")
				c := copier.NewCopierOf(pbx, discardStore{}, "b", keys, nil)
				ret := &fakeReturner{queue: "recordings"}
				ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
				defer cancel()
				start := time.Now()

				out, _, err := invokeBatch(t, ctx, c, &Options{Returner: ret}, receivedEvent(
					received{`{"id":1}`, receives},
					received{`{"id":6,"file":"20220412173331-6.mp3"}`, receives},
					received{`{"id":7,"file":"20220412173331-7.mp3"}`, receives}))
				if err != nil || string(out) != failures() {
					t.Fatalf("Invoke = %s, %v; want every record copied", out, err)
				}
				if pbx.refused != 0 || len(ret.got) != 0 {
					t.Errorf("%d .mp3s refused, %d handed back; want none", pbx.refused, len(ret.got))
				}
				if want := map[int64]int{1: 1, 6: 1, 7: 1}; !maps.Equal(pbx.links, want) {
					t.Errorf("links asked for %v, want %v", pbx.links, want)
				}
				if took := time.Since(start); took != 8*time.Second {
					t.Errorf("the invocation took %v, want 8s: the .wav, then each .mp3", took)
				}
			})
		})
	}
}

// failures is the batch answer naming ids as failed.
func failures(ids ...string) string {
	items := make([]string, len(ids))
	for i, id := range ids {
		items[i] = `{"itemIdentifier":"` + id + `"}`
	}
	return `{"batchItemFailures":[` + strings.Join(items, ",") + `]}`
}

// TestBusyGateTurns drives one PBX's gate directly: turns go one at a
// time, the oldest first, once every other running copy waits (for a
// turn, or out a backoff); a copy that hands back gives up only when
// refused after a turn it waited for after a busy answer.
func TestBusyGateTurns(t *testing.T) {
	given := func(c <-chan struct{}) bool {
		select {
		case <-c:
			return true
		default:
			return false
		}
	}
	t.Run("oldest first, one at a time", func(t *testing.T) {
		g := &busyGate{}
		g.start()
		g.start()
		g.start() // a, b and a third copy that downloads
		a, b := &returnWaiter{gate: g, handsBack: true}, &returnWaiter{gate: g, handsBack: true}
		ta, doneA := a.Turn()
		tb, doneB := b.Turn()
		if given(ta) || given(tb) {
			t.Fatal("a turn given while a copy downloads")
		}
		g.finish() // the download ends
		if !given(ta) || given(tb) {
			t.Fatalf("turns given: a %v, b %v; want a's alone", given(ta), given(tb))
		}
		doneA()
		doneB()
	})
	t.Run("a later receive's backoff gives the turn, and it takes a turn for each ask", func(t *testing.T) {
		g := &busyGate{}
		g.start()
		g.start()
		later, first := &returnWaiter{gate: g}, &returnWaiter{gate: g, handsBack: true}
		tf, doneF := first.Turn()
		release, doneBackoff := later.Waiting()
		if release != nil || !given(tf) {
			t.Fatalf("later receive's wait %v, first's turn given %v; want a backoff (nil) that gives the turn", release, given(tf))
		}
		doneBackoff()
		doneF()
		tl, doneL := later.Turn()
		if given(tl) {
			t.Fatal("the later receive asked without a turn while the other copy runs")
		}
		g.finish() // the first copy ends
		if !given(tl) {
			t.Fatal("no turn for the later receive once it is alone")
		}
		doneL()
	})
	t.Run("refused in its turn: gives up, the .mp3 that asked first in it too", func(t *testing.T) {
		g := &busyGate{}
		g.start() // alone
		mp3, byID := &returnWaiter{gate: g, handsBack: true}, &returnWaiter{gate: g, handsBack: true}
		t0, done0 := mp3.Turn() // an .mp3's first ask
		done0()
		if !given(t0) {
			t.Fatal("no turn for a copy alone")
		}
		if release, _ := mp3.Waiting(); release != copier.GiveUp {
			t.Fatalf(".mp3 refused in its turn: release %v, want copier.GiveUp", release)
		}
		release, done := byID.Waiting() // a first busy answer: its turn at once
		done()
		if release != nil {
			t.Fatalf("first busy answer, turn at once: release %v, want the backoff (nil)", release)
		}
		if release, _ := byID.Waiting(); release != copier.GiveUp {
			t.Fatalf("refused again: release %v, want copier.GiveUp", release)
		}
	})
}
