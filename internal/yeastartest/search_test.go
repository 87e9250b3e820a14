package yeastartest

import (
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"
)

// searchResp is the wire shape of a search or list answer.
type searchResp struct {
	ErrCode     int               `json:"errcode"`
	ErrMsg      string            `json:"errmsg"`
	TotalNumber int               `json:"total_number"`
	Data        []json.RawMessage `json:"data"`
}

// search calls endpoint with q and the token, decoding rows into items.
func (c *testClient) search(endpoint, tok string, q url.Values) (searchResp, []searchItem) {
	c.t.Helper()
	q.Set("access_token", tok)
	var r searchResp
	c.getJSON(endpoint, q, &r)
	items := make([]searchItem, len(r.Data))
	for i, raw := range r.Data {
		if err := json.Unmarshal(raw, &items[i]); err != nil {
			c.t.Fatal(err)
		}
	}
	return r, items
}

// window is the query of a recording/search over [from, to].
func window(from, to time.Time, page, size int) url.Values {
	return url.Values{
		"start_time": {strconv.FormatInt(from.Unix(), 10)}, "end_time": {strconv.FormatInt(to.Unix(), 10)},
		"page": {strconv.Itoa(page)}, "page_size": {strconv.Itoa(size)}, "sort_by": {"id"}, "order_by": {"asc"},
	}
}

func TestSearchWindowPagingAndLocalTime(t *testing.T) {
	zone := time.FixedZone("UTC+8", 8*3600)
	s := newTestSim(t, Options{TimeZone: zone, MaxPageSize: 3})
	// Ten recordings, one a minute, named in the PBX's local time.
	base := time.Date(2026, 3, 1, 23, 55, 0, 0, zone)
	for i := range 10 {
		at := base.Add(time.Duration(i) * time.Minute)
		s.AddRecording(Recording{ID: 100 + i, File: at.Format("20060102150405") + "-1.1-2001-2002-Internal.wav", Size: 10, CallFrom: "2001", CallTo: "2002", CallType: "Internal", UID: "u" + strconv.Itoa(i)})
	}
	c := newTestClient(t, s)
	tok := c.token()
	from, to := base.Add(2*time.Minute), base.Add(8*time.Minute) // ids 102..108, across midnight
	var got []searchItem
	for page := 1; ; page++ {
		r, items := c.search("recording/search", tok, window(from, to, page, 50))
		if r.ErrCode != 0 || r.TotalNumber != 7 {
			t.Fatalf("page %d: errcode %d total %d, want 0 and 7", page, r.ErrCode, r.TotalNumber)
		}
		if len(items) > 3 {
			t.Fatalf("page %d: %d rows, want the cap of 3", page, len(items))
		}
		if len(items) == 0 {
			if r.Data != nil {
				t.Fatalf("page past the end carries data %v", r.Data)
			}
			break
		}
		got = append(got, items...)
	}
	if len(got) != 7 || got[0].ID != 102 || got[6].ID != 108 {
		t.Fatalf("rows %+v, want ids 102..108", got)
	}
	if got[0].Time != "03/01/2026 23:57:00" || got[5].Time != "03/02/2026 00:02:00" {
		t.Errorf("times %q %q, want the PBX's local MM/DD/YYYY HH:MM:SS", got[0].Time, got[5].Time)
	}
	if g := got[1]; g.CallFrom != "2001" || g.CallTo != "2002" || g.CallType != "Internal" || g.UID != "u3" || g.Size != 10 {
		t.Errorf("row fields %+v", g)
	}
}

func TestSearchExplicitTimeAndOrder(t *testing.T) {
	s := newTestSim(t, Options{})
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	s.AddRecording(Recording{ID: 1, File: "20250101000000-a.wav", Time: at})
	s.AddRecording(Recording{ID: 2, File: "20250101000001-b.wav", Time: at.Add(-time.Hour)})
	c := newTestClient(t, s)
	q := window(at.Add(-2*time.Hour), at, 1, 10)
	q.Set("sort_by", "time")
	_, items := c.search("recording/search", c.token(), q)
	if len(items) != 2 || items[0].ID != 2 || items[1].ID != 1 {
		t.Fatalf("sorted by time: %+v", items)
	}
	q.Set("order_by", "desc")
	q.Set("sort_by", "id")
	_, items = c.search("recording/search", c.token(), q)
	if len(items) != 2 || items[0].ID != 2 {
		t.Fatalf("id desc: %+v", items)
	}
}

func TestSearchBadParameters(t *testing.T) {
	s := newTestSim(t, Options{})
	c := newTestClient(t, s)
	tok := c.token()
	now := time.Now()
	for name, q := range map[string]url.Values{
		"end before start": window(now, now.Add(-time.Hour), 1, 10),
		"page 0":           window(now, now, 0, 10),
		"bad page size":    {"page_size": {"x"}},
		"bad start":        {"start_time": {"yesterday"}},
		"bad sort":         {"sort_by": {"size"}},
	} {
		if r, _ := c.search("recording/search", tok, q); r.ErrCode != ErrCodeParameter {
			t.Errorf("%s: errcode %d, want 40002", name, r.ErrCode)
		}
	}
	if r, _ := c.search("recording/search", "", window(now, now, 1, 1)); r.ErrCode != ErrCodeTokenExpired {
		t.Errorf("no token: errcode %d, want 10004", r.ErrCode)
	}
}

func TestListAndFaults(t *testing.T) {
	s := newTestSim(t, Options{MaxPageSize: 2})
	for i := range 5 {
		s.AddRecording(Recording{ID: i + 1, File: "2025010100000" + strconv.Itoa(i) + "-x.wav"})
	}
	c := newTestClient(t, s)
	tok := c.token()
	r, items := c.search("recording/list", tok, url.Values{"page": {"3"}, "page_size": {"2"}})
	if r.TotalNumber != 5 || len(items) != 1 || items[0].ID != 5 || items[0].Time != "01/01/2025 00:00:04" {
		t.Fatalf("list page 3: total %d items %+v", r.TotalNumber, items)
	}
	for _, code := range []int{ErrCodeInternal, ErrCodeTokenExpired, ErrCodeMaxLimitation} {
		s.FailAPI("recording/search", code, 1)
		if r, _ := c.search("recording/search", tok, url.Values{}); r.ErrCode != code {
			t.Errorf("armed %d: errcode %d", code, r.ErrCode)
		}
		if r, _ := c.search("recording/search", tok, url.Values{}); r.ErrCode != 0 || r.TotalNumber != 5 {
			t.Errorf("after fault %d: errcode %d total %d", code, r.ErrCode, r.TotalNumber)
		}
	}
	if st := s.Stats(); st.APIRequests["recording/search"] != 6 || st.Faults.API != 3 {
		t.Errorf("APIRequests[recording/search] = %d, API faults %d; want 6, 3", st.APIRequests["recording/search"], st.Faults.API)
	}
}

// TestSearchTimeInTheDateFormat: each date format writes the same instant
// in the PBX's zone, west of UTC here; file names are unchanged.
func TestSearchTimeInTheDateFormat(t *testing.T) {
	zone := time.FixedZone("UTC-5", -5*3600)
	at := time.Date(2026, 1, 12, 17, 36, 24, 0, zone)
	for format, want := range map[string]string{
		"":           "01/12/2026 17:36:24",
		"MM/DD/YYYY": "01/12/2026 17:36:24",
		"DD/MM/YYYY": "12/01/2026 17:36:24",
		"YYYY/MM/DD": "2026/01/12 17:36:24",
	} {
		s := newTestSim(t, Options{TimeZone: zone, DateFormat: format})
		s.AddRecording(Recording{ID: 1, File: at.Format("20060102150405") + "-1.1-2001-2002-Internal.wav", Size: 1, Duration: 1800})
		c := newTestClient(t, s)
		_, items := c.search("recording/search", c.token(), window(at, at, 1, 10))
		if len(items) != 1 || items[0].Time != want || items[0].Duration != 1800 || items[0].File[:14] != "20260112173624" {
			t.Errorf("format %q: %+v, want time %q", format, items, want)
		}
	}
}

// TestBrokenPagers: each broken pager announces 2^40 rows and pages as
// named, and counts what it served.
func TestBrokenPagers(t *testing.T) {
	from := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	ids := func(items []searchItem) []int {
		var out []int
		for _, it := range items {
			out = append(out, it.ID)
		}
		return out
	}
	for _, tt := range []struct {
		name          string
		pager         Pager
		first, second []int
	}{
		{"same page", PagerSamePage, []int{1, 2, 3}, []int{1, 2, 3}},
		{"fresh IDs", PagerFreshIDs, []int{1, 2, 3}, []int{4, 5, 6}},
		{"overfull", PagerOverfull, []int{1, 2, 3, 4, 5, 6}, []int{7, 8, 9, 10, 11, 12}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestSim(t, Options{Pager: tt.pager})
			c := newTestClient(t, s)
			tok := c.token()
			r1, p1 := c.search("recording/search", tok, window(from, from.Add(time.Hour), 1, 3))
			r2, p2 := c.search("recording/search", tok, window(from, from.Add(time.Hour), 2, 3))
			if r1.TotalNumber != BrokenTotal || r2.TotalNumber != BrokenTotal {
				t.Errorf("totals %d %d, want %d", r1.TotalNumber, r2.TotalNumber, BrokenTotal)
			}
			if got1, got2 := ids(p1), ids(p2); !slices.Equal(got1, tt.first) || !slices.Equal(got2, tt.second) {
				t.Errorf("pages %v %v, want %v %v", got1, got2, tt.first, tt.second)
			}
			if n := s.Stats().BrokenPages; n != 2 {
				t.Errorf("BrokenPages %d, want 2", n)
			}
		})
	}
}
