package reconcile_test

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/pkg/reconcile"
	"github.com/recording-sync/recording-sync/pkg/recording"
)

var trailing = reconcile.Trailing{Lookback: 26 * time.Hour, Settle: 10 * time.Minute}

func TestDecodeSampleEvents(t *testing.T) {
	raw, err := os.ReadFile("../../events/reconcile/schedule.json")
	if err != nil {
		t.Fatal(err)
	}
	req, err := reconcile.Decode(raw, trailing)
	fired := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	if err != nil || !req.Scheduled || !req.Window.From.Equal(fired.Add(-26*time.Hour)) || !req.Window.To.Equal(fired.Add(-10*time.Minute)) {
		t.Fatalf("schedule sample: %+v %v", req, err)
	}
	raw, err = os.ReadFile("../../events/reconcile/backfill.json")
	if err != nil {
		t.Fatal(err)
	}
	req, err = reconcile.Decode(raw, trailing)
	if err != nil || req.Scheduled || req.Window.String() != "2026-03-01T00:00:00Z..2026-03-02T00:00:00Z" {
		t.Fatalf("backfill sample: %+v %v", req, err)
	}
}

func TestDecodeOffsetsAreInstants(t *testing.T) {
	req, err := reconcile.Decode([]byte(`{"from":"2026-03-01T08:00:00+08:00","to":"2026-03-01T09:30:00.9+08:00"}`), trailing)
	if err != nil || !req.Window.From.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) || req.Window.To.Sub(req.Window.From) != 90*time.Minute {
		t.Fatalf("%+v %v", req, err)
	}
}

func TestDecodeBadInputNamesTheProblem(t *testing.T) {
	for _, tc := range []struct{ name, raw, want string }{
		{"from after to", `{"from":"2026-03-02T00:00:00Z","to":"2026-03-01T00:00:00Z"}`, "is after to"},
		{"unparsable from", `{"from":"yesterday","to":"2026-03-01T00:00:00Z"}`, `"from" is not an RFC 3339 time`},
		{"date only", `{"from":"2026-03-01","to":"2026-03-02T00:00:00Z"}`, `"from" is not an RFC 3339 time`},
		{"missing to", `{"from":"2026-03-01T00:00:00Z"}`, `"to" is required`},
		{"unknown field", `{"from":"2026-03-01T00:00:00Z","to":"2026-03-02T00:00:00Z","until":"x"}`, `unknown field "until"`},
		{"wrong type", `{"from":1,"to":"2026-03-02T00:00:00Z"}`, `field "from" must be a string`},
		{"not an object", `[1]`, "not a JSON object"},
		{"trailing data", `{"from":"2026-03-01T00:00:00Z","to":"2026-03-02T00:00:00Z"} {}`, "not a JSON object"},
		{"other event", `{"detail-type":"Object Created","source":"aws.s3","time":"2026-03-01T00:00:00Z"}`, "is not a scheduled event"},
		{"event without time", `{"detail-type":"Scheduled Event","source":"aws.events"}`, "has no time"},
		{"oversized", `{"from":"` + strings.Repeat("x", 70<<10) + `"}`, "larger than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := reconcile.Decode([]byte(tc.raw), trailing)
			var inv *recording.InvalidInputError
			if !errors.As(err, &inv) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want an InvalidInputError containing %q", err, tc.want)
			}
		})
	}
}
