package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"
)

// pbxClient makes the plain HTTP calls of the methods that are not the
// function: no overall timeout, since a download may take minutes (the
// context bounds it), but bounded connection and header waits.
var pbxClient = &http.Client{Transport: &http.Transport{
	DialContext:           (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
	ResponseHeaderTimeout: 30 * time.Second,
}}

// pbxAnswer is the part of the PBX's JSON answers the bench reads.
type pbxAnswer struct {
	ErrCode     int    `json:"errcode"`
	ErrMsg      string `json:"errmsg"`
	AccessToken string `json:"access_token"`
	ResourceURL string `json:"download_resource_url"`
}

// downloadURL gets an access token and a download link for spec's
// recording and returns the full download URL, token included.
func downloadURL(ctx context.Context, spec childSpec) (string, error) {
	base := os.Getenv("PBX_BASE_URL")
	api := base + "/openapi/v1.0/"
	creds, err := json.Marshal(map[string]string{"username": os.Getenv("PBX_CLIENT_ID"), "password": os.Getenv("PBX_CLIENT_SECRET")})
	if err != nil {
		return "", err
	}
	tok, err := pbxCall(ctx, http.MethodPost, api+"get_token", creds)
	if err != nil {
		return "", fmt.Errorf("get_token: %w", err)
	}
	q := url.Values{"id": {strconv.Itoa(spec.ID)}, "access_token": {tok.AccessToken}}
	dl, err := pbxCall(ctx, http.MethodGet, api+"recording/download?"+q.Encode(), nil)
	if err != nil {
		return "", fmt.Errorf("recording/download: %w", err)
	}
	u, err := url.Parse(base + dl.ResourceURL)
	if err != nil {
		return "", err
	}
	u.RawQuery = url.Values{"access_token": {tok.AccessToken}}.Encode()
	return u.String(), nil
}

// pbxCall makes one API request and decodes its answer, failing on a
// non-zero errcode.
func pbxCall(ctx context.Context, method, u string, body []byte) (pbxAnswer, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd) //nolint:gosec // G704: the bench's own loopback PBX simulator
	if err != nil {
		return pbxAnswer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := pbxClient.Do(req) //nolint:gosec // G704: as above
	if err != nil {
		return pbxAnswer{}, err
	}
	defer resp.Body.Close()
	var a pbxAnswer
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&a); err != nil {
		return pbxAnswer{}, err
	}
	if a.ErrCode != 0 {
		return pbxAnswer{}, fmt.Errorf("errcode %d %s", a.ErrCode, a.ErrMsg)
	}
	return a, nil
}

// openDownload starts the download of spec's recording and returns its
// body (the caller closes it) and its length.
func openDownload(ctx context.Context, spec childSpec) (io.ReadCloser, int64, error) {
	link, err := downloadURL(ctx, spec)
	if err != nil {
		return nil, 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		return nil, 0, err
	}
	resp, err := pbxClient.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("download: %w", err)
	}
	if resp.StatusCode != http.StatusOK || resp.ContentLength != spec.Size {
		resp.Body.Close()
		return nil, 0, fmt.Errorf("download: HTTP %d, %d bytes, want 200 and %d bytes", resp.StatusCode, resp.ContentLength, spec.Size)
	}
	return resp.Body, resp.ContentLength, nil
}
