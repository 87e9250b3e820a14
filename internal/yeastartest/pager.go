package yeastartest

import (
	"fmt"
	"time"
)

// Pager is how recording/search pages: correctly, or in one of the wrong
// ways a PBX has been seen to, each under a total_number of BrokenTotal.
type Pager int

const (
	// PagerCorrect pages the matching recordings by total_number.
	PagerCorrect Pager = iota
	// PagerSamePage answers every page with the first page's rows.
	PagerSamePage
	// PagerFreshIDs answers every page, however far, with rows of IDs
	// never served before.
	PagerFreshIDs
	// PagerOverfull answers every page with twice the rows asked for,
	// of fresh IDs.
	PagerOverfull
)

// BrokenTotal is the total_number a broken pager announces: 2^40.
const BrokenTotal = 1 << 40

// brokenPage answers a search as s.opts.Pager pages wrong, with made-up
// recordings of the window's start; each answer counts in
// Stats.BrokenPages. s.mu must be held.
func (s *Simulator) brokenPage(p searchParams) searchBody {
	s.stats.BrokenPages++
	body := searchBody{ErrMsg: ErrMsg(ErrCodeSuccess), TotalNumber: BrokenTotal}
	size := min(p.pageSize, s.opts.MaxPageSize)
	first := (p.page - 1) * size
	switch s.opts.Pager {
	case PagerSamePage:
		first = 0
	case PagerOverfull:
		first, size = (p.page-1)*2*size, 2*size
	}
	at := time.Unix(p.start, 0).In(s.opts.TimeZone)
	for i := range size {
		id := first + i + 1
		body.Data = append(body.Data, searchItem{
			ID: id, Time: at.Format(s.searchLayout()), UID: fmt.Sprintf("broken-%d", id),
			CallFrom: "2001", CallTo: "2002", CallType: "Inbound", Size: 8,
			File: fmt.Sprintf("%s-%d.%d-2001-2002-Inbound.wav", at.Format("20060102150405"), 1700000000+id, id%100),
		})
	}
	return body
}
