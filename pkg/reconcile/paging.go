package reconcile

import (
	"fmt"

	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// checkPage refuses a page no correct PBX answers: more rows than asked,
// rows past its own total_number, or, outside a page read again on
// purpose (a resumed cursor, a step back), rows already handled in the
// window: pages are sorted by ID, so a later page holds only higher IDs.
// Without it, a PBX serving one page forever under a huge total_number
// keeps a run busy to its deadline, doing nothing and failing nothing.
func (p *pager) checkPage(got yeastar.SearchPage) error {
	fail := func(format string, args ...any) error {
		return &PagingError{Window: p.res.Window, Page: p.page, Reason: fmt.Sprintf(format, args...)}
	}
	if n := len(got.Items); n > p.opts.PageSize {
		return fail("%d rows, %d asked for", n, p.opts.PageSize)
	}
	if p.page > 1 && len(got.Items) > 0 && int64(p.page-1)*int64(p.cur.PageSize)+int64(len(got.Items)) > int64(got.Total) {
		return fail("rows past the total_number %d it announced", got.Total)
	}
	if p.reread {
		return nil
	}
	for _, it := range got.Items {
		if it.ID <= p.cur.LastID {
			return fail("repeats recording %d, already seen in this window", it.ID)
		}
	}
	return nil
}

// checkCaps stops the run once it has made MaxPages searches or queued
// MaxQueued recordings.
func (p *pager) checkCaps() error {
	switch {
	case p.searches >= p.opts.MaxPages:
		return &PagingError{Window: p.res.Window, Page: p.page, Reason: fmt.Sprintf("the run reached its cap of %d pages (RECONCILE_MAX_PAGES)", p.opts.MaxPages)}
	case p.queuedInRun >= p.opts.MaxQueued:
		return &PagingError{Window: p.res.Window, Page: p.page, Reason: fmt.Sprintf("the run reached its cap of %d queued recordings (RECONCILE_MAX_QUEUED)", p.opts.MaxQueued)}
	}
	return nil
}

// pageCount is the number of pages of a window of total recordings, pages
// of size.
func pageCount(total, size int) int {
	if total <= 0 || size <= 0 {
		return 0
	}
	return (total-1)/size + 1
}
