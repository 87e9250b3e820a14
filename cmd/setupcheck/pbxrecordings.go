package main

import (
	"context"
	"fmt"
	"time"

	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// search asks recording/search for the newest recording of the last since;
// it returns it, if any, and whether the search worked.
func (p *pbxCheck) search(ctx context.Context, since time.Duration) (*yeastar.SearchItem, bool) {
	const name = "recording/search"
	now := time.Now()
	page, err := p.c.SearchRecordings(ctx, yeastar.SearchQuery{
		Start: now.Add(-since), End: now, Page: 1, PageSize: 1, SortBy: "time", OrderBy: "desc",
	})
	if err != nil {
		p.rep.step(statusFail, name, err.Error(), apiFix(err, "search call recordings"))
		return nil, false
	}
	if len(page.Items) == 0 {
		p.rep.step(statusOK, name, fmt.Sprintf("allowed; no recording in the last %s", since), "")
		return nil, true
	}
	it := page.Items[0]
	p.rep.step(statusOK, name, fmt.Sprintf("allowed; %d recording(s) in the last %s, newest %s (%s)", page.Total, since, it.File, it.Time), "")
	return &it, true
}

// download asks recording/download for the link of rec; the file itself is
// not downloaded.
func (p *pbxCheck) download(ctx context.Context, rec *yeastar.SearchItem, since time.Duration) {
	const name = "recording/download"
	if rec == nil {
		p.rep.step(statusFail, name, fmt.Sprintf("no recording in the last %s to ask a link for", since),
			"make a short call with recording on, then run again (or look further back with -since)")
		return
	}
	link, err := p.c.RecordingDownloadLink(ctx, yeastar.RecordingQuery{ID: rec.ID})
	if err != nil {
		p.rep.step(statusFail, name, fmt.Sprintf("recording %d: %v", rec.ID, err), apiFix(err, "download call recordings"))
		return
	}
	p.rep.step(statusOK, name, fmt.Sprintf("allowed; link for %s (not downloaded)", link.File), "")
}
