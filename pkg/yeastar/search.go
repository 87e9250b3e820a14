package yeastar

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"time"
)

// SearchQuery selects the recordings of a time window, one page at a time.
// Start and End are absolute instants (sent as Unix seconds); the PBX
// compares them with each recording's time.
type SearchQuery struct {
	Start, End time.Time
	Page       int    // from 1
	PageSize   int    // rows asked for; the PBX may answer fewer
	SortBy     string // "id" or "time"; default "id"
	OrderBy    string // "asc" or "desc"; default "asc"
}

// SearchItem is one recording in a recording/search or recording/list
// answer. Time is the PBX's local time, "MM/DD/YYYY HH:MM:SS".
type SearchItem struct {
	ID       int64  `json:"id"`
	Time     string `json:"time"`
	UID      string `json:"uid"`
	CallFrom string `json:"call_from"`
	CallTo   string `json:"call_to"`
	Duration int64  `json:"duration"`
	Size     int64  `json:"size"`
	CallType string `json:"call_type"`
	File     string `json:"file"`
}

// SearchPage is one page of a search. Total is the number of recordings in
// the whole window: page by it, not by len(Items), since the PBX may cap a
// page below the size asked for, and a page past the end has no items.
type SearchPage struct {
	Total int          `json:"total_number"`
	Items []SearchItem `json:"data"`
}

// SearchRecordings asks the PBX for one page of the recordings made in
// [q.Start, q.End].
func (c *Client) SearchRecordings(ctx context.Context, q SearchQuery) (SearchPage, error) {
	const op = "recording/search"
	if err := q.check(); err != nil {
		return SearchPage{}, err
	}
	var page SearchPage
	err := c.withToken(ctx, func(token string) error {
		page = SearchPage{}
		return c.call(ctx, op, q.values(token), nil, &page)
	})
	if err != nil {
		return SearchPage{}, err
	}
	if page.Total < 0 {
		return SearchPage{}, &ContentError{Op: op, ContentType: "application/json", Reason: "negative total_number"}
	}
	return page, nil
}

// check refuses a query the PBX would answer 40002 to, before sending it.
func (q SearchQuery) check() error {
	switch {
	case q.Start.IsZero() || q.End.IsZero():
		return errors.New("yeastar recording/search: start and end are required")
	case q.End.Before(q.Start):
		return errors.New("yeastar recording/search: end is before start")
	case q.Page < 1 || q.PageSize < 1:
		return errors.New("yeastar recording/search: page and page size start at 1")
	}
	return nil
}

// values is the query string of q with the access token.
func (q SearchQuery) values(token string) url.Values {
	sortBy, orderBy := q.SortBy, q.OrderBy
	if sortBy == "" {
		sortBy = "id"
	}
	if orderBy == "" {
		orderBy = "asc"
	}
	return url.Values{
		"access_token": {token},
		"start_time":   {strconv.FormatInt(q.Start.Unix(), 10)},
		"end_time":     {strconv.FormatInt(q.End.Unix(), 10)},
		"page":         {strconv.Itoa(q.Page)},
		"page_size":    {strconv.Itoa(q.PageSize)},
		"sort_by":      {sortBy},
		"order_by":     {orderBy},
	}
}

// PBXTimeLayout is the layout of SearchItem.Time, in the PBX's time zone.
const PBXTimeLayout = "01/02/2006 15:04:05"
