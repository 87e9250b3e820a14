package yeastar

import (
	"context"
	"errors"
	"net/url"
	"strconv"
)

// RecordingQuery names a recording by its ID or by its file name; exactly
// one must be set.
type RecordingQuery struct {
	ID   int64
	File string
}

// DownloadLink is the answer of recording/download: the recording's file
// name (which decides its format) and a download path valid for 30 minutes.
type DownloadLink struct {
	File        string `json:"file"`
	ResourceURL string `json:"download_resource_url"`
}

// RecordingDownloadLink asks the PBX where to download a recording.
func (c *Client) RecordingDownloadLink(ctx context.Context, q RecordingQuery) (DownloadLink, error) {
	const op = "recording/download"
	if (q.ID > 0) == (q.File != "") {
		return DownloadLink{}, errors.New("yeastar recording/download: exactly one of id and file is required")
	}
	var link DownloadLink
	err := c.withToken(ctx, func(token string) error {
		query := url.Values{"access_token": {token}}
		if q.ID > 0 {
			query.Set("id", strconv.FormatInt(q.ID, 10))
		} else {
			query.Set("file", q.File)
		}
		return c.call(ctx, op, query, nil, &link)
	})
	if err != nil {
		return DownloadLink{}, err
	}
	if link.File == "" || link.ResourceURL == "" {
		return DownloadLink{}, &ContentError{Op: op, ContentType: "application/json", Reason: "answer lacks file or download_resource_url"}
	}
	return link, nil
}
