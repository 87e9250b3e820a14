package yeastar_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/recording-sync/recording-sync/internal/yeastartest"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

func TestSearchRecordingsPagesByTotal(t *testing.T) {
	sim := newSim(t, yeastartest.Options{MaxPageSize: 4})
	base := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	for i := range 10 {
		at := base.Add(time.Duration(i) * time.Second)
		sim.AddRecording(yeastartest.Recording{ID: i + 1, File: at.Format("20060102150405") + "-1.2-100-200-Inbound.wav", CallFrom: "100", CallTo: "200", CallType: "Inbound", Duration: 7, Size: 99})
	}
	c := newClient(t, sim.URL(), yeastar.Options{})
	q := yeastar.SearchQuery{Start: base, End: base.Add(9 * time.Second), PageSize: 50}
	var ids []int64
	for q.Page = 1; ; q.Page++ {
		page, err := c.SearchRecordings(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 10 {
			t.Fatalf("total %d, want 10", page.Total)
		}
		for _, it := range page.Items {
			ids = append(ids, it.ID)
		}
		if len(ids) >= page.Total || len(page.Items) == 0 {
			break
		}
	}
	if len(ids) != 10 || ids[0] != 1 || ids[9] != 10 || q.Page != 3 {
		t.Fatalf("ids %v in %d pages, want 1..10 in 3 pages of at most 4", ids, q.Page)
	}
	page, err := c.SearchRecordings(t.Context(), yeastar.SearchQuery{Start: base, End: base, Page: 1, PageSize: 1})
	if err != nil || len(page.Items) != 1 {
		t.Fatal(page, err)
	}
	it := page.Items[0]
	if it.Time != "05/04/2026 10:00:00" || it.CallFrom != "100" || it.CallType != "Inbound" || it.Duration != 7 || it.Size != 99 || !strings.HasSuffix(it.File, ".wav") {
		t.Errorf("item %+v", it)
	}
	if _, err := time.Parse(yeastar.PBXTimeLayout, it.Time); err != nil {
		t.Errorf("PBXTimeLayout does not parse %q: %v", it.Time, err)
	}
}

func TestSearchRecordingsErrors(t *testing.T) {
	sim := newSim(t, yeastartest.Options{})
	c := newClient(t, sim.URL(), yeastar.Options{})
	now := time.Now()
	q := yeastar.SearchQuery{Start: now.Add(-time.Hour), End: now, Page: 1, PageSize: 10}

	// 10004 once: the token is renewed and the call repeated.
	sim.FailAPI("recording/search", yeastartest.ErrCodeTokenExpired, 1)
	if _, err := c.SearchRecordings(t.Context(), q); err != nil {
		t.Fatalf("after one 10004: %v", err)
	}
	for _, code := range []int{yeastar.CodeInternal, yeastar.CodeMaxLimitation} {
		sim.FailAPI("recording/search", code, 1)
		_, err := c.SearchRecordings(t.Context(), q)
		if got, ok := yeastar.ErrorCode(err); !ok || got != code {
			t.Errorf("armed %d: err %v", code, err)
		}
		var apiErr *yeastar.APIError
		if !errors.As(err, &apiErr) || apiErr.Op != "recording/search" {
			t.Errorf("armed %d: %v is not an APIError of recording/search", code, err)
		}
	}
	if n := sim.Stats().Faults.API; n != 3 {
		t.Errorf("%d API faults fired, want 3", n)
	}
	bad := q
	bad.End = q.Start.Add(-time.Second)
	if _, err := c.SearchRecordings(t.Context(), bad); err == nil || !strings.Contains(err.Error(), "end is before start") {
		t.Errorf("end before start: %v", err)
	}
	before := sim.Stats().APIRequests["recording/search"]
	refused := newClient(t, closedURL(t), yeastar.Options{})
	if _, err := refused.SearchRecordings(context.WithoutCancel(t.Context()), q); err == nil {
		t.Error("refused connection: no error")
	}
	if after := sim.Stats().APIRequests["recording/search"]; after != before {
		t.Errorf("bad query reached the PBX")
	}
}
