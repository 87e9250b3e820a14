package yeastartest

import (
	"cmp"
	"maps"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The recording/search and recording/list endpoints are registered here,
// beside the routes of api.go, so that their code stays in this file.
func init() {
	routes["recording/search"] = route{"GET", true, (*Simulator).recordingSearch}
	routes["recording/list"] = route{"GET", true, (*Simulator).recordingList}
}

// searchItem is one row of a recording/search or recording/list answer.
type searchItem struct {
	ID       int    `json:"id"`
	Time     string `json:"time"`
	UID      string `json:"uid"`
	CallFrom string `json:"call_from"`
	CallTo   string `json:"call_to"`
	Duration int    `json:"duration"`
	Size     int64  `json:"size"`
	CallType string `json:"call_type"`
	File     string `json:"file"`
}

// searchBody answers recording/search and recording/list. A page past the
// end comes without data.
type searchBody struct {
	ErrCode     int          `json:"errcode"`
	ErrMsg      string       `json:"errmsg"`
	TotalNumber int          `json:"total_number"`
	Data        []searchItem `json:"data,omitempty"`
}

// searchParams is a parsed search request.
type searchParams struct {
	start, end      int64 // Unix seconds, inclusive
	page, pageSize  int
	sortBy, orderBy string
	windowed        bool
}

// recordingSearch answers recording/search: the recordings whose time lies
// in [start_time, end_time], paged.
func (s *Simulator) recordingSearch(c apiCall) any {
	p, ok := parseSearch(c.r.URL.Query(), true)
	if !ok {
		return errResp(ErrCodeParameter)
	}
	if s.opts.Pager != PagerCorrect {
		return s.brokenPage(p)
	}
	return s.answerSearch(p)
}

// recordingList answers recording/list: every recording, paged.
func (s *Simulator) recordingList(c apiCall) any {
	p, ok := parseSearch(c.r.URL.Query(), false)
	if !ok {
		return errResp(ErrCodeParameter)
	}
	return s.answerSearch(p)
}

// answerSearch pages the matching recordings. s.mu must be held.
func (s *Simulator) answerSearch(p searchParams) searchBody {
	rows := s.index.matching(s, p)
	body := searchBody{ErrMsg: ErrMsg(ErrCodeSuccess), TotalNumber: len(rows)}
	size := min(p.pageSize, s.opts.MaxPageSize)
	first := (p.page - 1) * size
	if p.page-1 > math.MaxInt/size || first >= len(rows) {
		return body
	}
	for _, r := range rows[first:min(first+size, len(rows))] {
		body.Data = append(body.Data, s.item(r))
	}
	return body
}

// item reports r as the PBX does, its time in the PBX's local time.
func (s *Simulator) item(r Recording) searchItem {
	return searchItem{
		ID: r.ID, Time: s.recordingTime(r).In(s.opts.TimeZone).Format(s.searchLayout()),
		UID: r.UID, CallFrom: r.CallFrom, CallTo: r.CallTo, Duration: r.Duration,
		Size: r.Size, CallType: r.CallType, File: r.File,
	}
}

// recordingTime is r.Time, or the file name's leading timestamp read in
// the PBX's time zone; a name without one counts as the Unix epoch.
func (s *Simulator) recordingTime(r Recording) time.Time {
	if !r.Time.IsZero() {
		return r.Time
	}
	if len(r.File) >= 14 {
		if t, err := time.ParseInLocation("20060102150405", r.File[:14], s.opts.TimeZone); err == nil {
			return t
		}
	}
	return time.Unix(0, 0)
}

// parseSearch reads the query of a search (windowed) or list request. page
// defaults to 1, page_size to the cap; anything present must be valid.
func parseSearch(q url.Values, windowed bool) (searchParams, bool) {
	p := searchParams{page: 1, pageSize: math.MaxInt, sortBy: "id", orderBy: "asc", windowed: windowed}
	ok := intParam(q, "page", &p.page) && intParam(q, "page_size", &p.pageSize)
	if !ok || p.page < 1 || p.pageSize < 1 {
		return p, false
	}
	p.start, p.end = math.MinInt64, math.MaxInt64
	if windowed && (!int64Param(q, "start_time", &p.start) || !int64Param(q, "end_time", &p.end) || p.end < p.start) {
		return p, false
	}
	if v := q.Get("sort_by"); v != "" {
		p.sortBy = v
	}
	if v := q.Get("order_by"); v != "" {
		p.orderBy = v
	}
	return p, (p.sortBy == "id" || p.sortBy == "time") && (p.orderBy == "asc" || p.orderBy == "desc")
}

// intParam parses q[name] into *v when present.
func intParam(q url.Values, name string, v *int) bool {
	if !q.Has(name) {
		return true
	}
	n, err := strconv.Atoi(q.Get(name))
	*v = n
	return err == nil
}

// int64Param parses q[name] into *v when present.
func int64Param(q url.Values, name string, v *int64) bool {
	if !q.Has(name) {
		return true
	}
	n, err := strconv.ParseInt(q.Get(name), 10, 64)
	*v = n
	return err == nil
}

// searchIndex keeps the recordings sorted by ID and the rows of the last
// search, so that paging through a large window costs one scan, not one
// per page. Guarded by Simulator.mu.
type searchIndex struct {
	byID     []Recording
	fresh    bool
	lastKey  searchParams
	lastRows []Recording
}

// invalidate drops the index after a recording was added.
func (x *searchIndex) invalidate() {
	x.fresh, x.byID, x.lastRows = false, nil, nil
}

// matching returns the recordings p selects, in p's order.
func (x *searchIndex) matching(s *Simulator, p searchParams) []Recording {
	key := p
	key.page, key.pageSize = 0, 0
	if x.fresh && x.lastRows != nil && x.lastKey == key {
		return x.lastRows
	}
	if !x.fresh {
		x.byID = slices.SortedFunc(maps.Values(s.byID), func(a, b Recording) int { return cmp.Compare(a.ID, b.ID) })
		x.fresh = true
	}
	rows := make([]Recording, 0)
	for _, r := range x.byID {
		if t := s.recordingTime(r).Unix(); t >= p.start && t <= p.end {
			rows = append(rows, r)
		}
	}
	if p.sortBy == "time" {
		slices.SortStableFunc(rows, func(a, b Recording) int { return s.recordingTime(a).Compare(s.recordingTime(b)) })
	}
	if p.orderBy == "desc" {
		slices.Reverse(rows)
	}
	x.lastKey, x.lastRows = key, rows
	return rows
}

// searchLayout is the layout of the times recording/search writes.
func (s *Simulator) searchLayout() string {
	return dateLayout(cmp.Or(s.opts.DateFormat, "MM/DD/YYYY"))
}

// dateLayout is the Go layout of a time written in the date format f
// (YYYY, MM and DD in any order, as system_date_format names them).
func dateLayout(f string) string {
	return strings.NewReplacer("YYYY", "2006", "MM", "01", "DD", "02").Replace(f) + " 15:04:05"
}
