package yeastar

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/recording-sync/recording-sync/pkg/redact"
)

// Download is an open recording download. The caller owns Body and must
// close it.
type Download struct {
	Body          io.ReadCloser
	Offset        int64  // the first byte of Body within the recording
	ContentLength int64  // bytes Body will deliver; -1 when unknown (chunked)
	Size          int64  // the whole recording's size; -1 when unknown
	ContentType   string // as the PBX sent it, e.g. audio/x-wav
}

// A body of unknown length (Transfer-Encoding: chunked, or HTTP/2 without
// Content-Length) is accepted: its framing still tells a cut body from a
// whole one, since a body cut before its last chunk ends in
// io.ErrUnexpectedEOF, never io.EOF. A body delimited only by the closing
// of the connection is refused: there a cut is a clean end.

// Download opens the recording at resourceURL (a DownloadLink's
// ResourceURL), starting at byte offset (0 for the whole file). The PBX
// answers errors with HTTP 200 and a JSON or HTML body: those are returned
// as *APIError or *ContentError, never as a Download. An empty recording
// (Content-Length 0, labelled audio) is a Download whose Body delivers no
// bytes. A download resumed at the recording's exact end (offset equal to
// the size a 416's Content-Range gives) is a Download of no bytes, too.
func (c *Client) Download(ctx context.Context, resourceURL string, offset int64) (*Download, error) {
	var d *Download
	err := c.withToken(ctx, func(token string) error {
		var err error
		d, err = c.download(ctx, resourceURL, token, offset)
		return err
	})
	return d, err
}

func (c *Client) download(ctx context.Context, resourceURL, token string, offset int64) (*Download, error) {
	const op = "download"
	u, err := c.resolveDownloadURL(resourceURL)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	q.Set("access_token", token)
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("yeastar %s: %w", op, redact.Error(err))
	}
	if offset > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(offset, 10)+"-")
	}
	resp, err := c.do(req)
	if err != nil {
		return nil, fmt.Errorf("yeastar %s: %w", op, err)
	}
	d, err := checkDownload(resp, offset)
	if err != nil {
		resp.Body.Close()
		return nil, err
	}
	return d, nil
}

// checkDownload accepts audio with a known length, and turns anything else
// into an error: a JSON body into its errcode, HTML or text into a
// ContentError. Besides the Content-Type, the first bytes are sniffed, since
// a PBX may label an error page as audio or octet-stream. An empty body has
// nothing to sniff (http.DetectContentType calls it text): labelled audio or
// octet-stream it is an empty recording, a Download of 0 bytes.
func checkDownload(resp *http.Response, offset int64) (*Download, error) {
	const op = "download"
	ctype := resp.Header.Get("Content-Type")
	media, _, _ := mime.ParseMediaType(ctype)
	if resp.StatusCode == http.StatusRequestedRangeNotSatisfiable && offset > 0 {
		if d := atEnd(resp, offset); d != nil {
			return d, nil
		}
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusPartialContent {
		return nil, &HTTPError{Op: op, StatusCode: resp.StatusCode}
	}
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(resp.Body, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, fmt.Errorf("yeastar %s: read body: %w", op, redact.Error(err))
	}
	head = head[:n]
	// Sniffing is for 200 answers: the PBX's error pages come as 200, while a
	// 206 is a slice of the file, and a short one (the last bytes of a
	// recording) is easily taken for text.
	sniff := resp.StatusCode == http.StatusOK
	text := sniff && n > 0 && strings.HasPrefix(http.DetectContentType(head), "text/")
	// A '{' alone does not make JSON: audio may start with that byte, but
	// then it is not text.
	looksJSON := text && bytes.HasPrefix(bytes.TrimLeft(head, " \t\r\n"), []byte("{"))
	switch {
	case media == "application/json" || media == "text/json" || looksJSON:
		raw, err := io.ReadAll(io.LimitReader(io.MultiReader(bytes.NewReader(head), resp.Body), maxJSONBody))
		if err != nil {
			return nil, fmt.Errorf("yeastar %s: read error body: %w", op, redact.Error(err))
		}
		if err := decodeAPIResponse(op, raw, nil); err != nil {
			return nil, err
		}
		return nil, &ContentError{Op: op, ContentType: ctype, Reason: "JSON body instead of audio"}
	case strings.HasPrefix(media, "text/") || text:
		return nil, &ContentError{Op: op, ContentType: ctype, Reason: "text or HTML body instead of audio"}
	case resp.ContentLength < 0 && !framed(resp):
		return nil, &ContentError{Op: op, ContentType: ctype, Reason: "no Content-Length and no chunked encoding: a cut body would look whole"}
	case (resp.ContentLength == 0 || n == 0) && !isAudio(media):
		// Stored, an empty object would pass for the recording for good:
		// only the label can vouch for a body with no bytes.
		return nil, &ContentError{Op: op, ContentType: ctype, Reason: "empty body without an audio Content-Type"}
	}
	d := &Download{
		Body:          readCloser{Reader: io.MultiReader(bytes.NewReader(head), resp.Body), Closer: resp.Body},
		ContentLength: resp.ContentLength,
		Size:          resp.ContentLength,
		ContentType:   ctype,
	}
	if resp.StatusCode == http.StatusPartialContent {
		start, size, err := parseContentRange(resp.Header.Get("Content-Range"))
		if err != nil || start != offset {
			return nil, &ContentError{Op: op, ContentType: ctype, Reason: "Content-Range does not match the requested range"}
		}
		d.Offset, d.Size = start, size
	}
	return d, nil
}

// framed reports whether a body without Content-Length still marks its own
// end: chunked encoding, or HTTP/2's frames.
func framed(resp *http.Response) bool {
	return slices.Contains(resp.TransferEncoding, "chunked") || resp.ProtoMajor >= 2
}

// atEnd returns an empty Download when a 416 says, with "bytes */SIZE",
// that the recording has exactly offset bytes: a chunked body cut after
// its last byte but before its last chunk was whole after all.
func atEnd(resp *http.Response, offset int64) *Download {
	size, ok := strings.CutPrefix(resp.Header.Get("Content-Range"), "bytes */")
	if n, err := strconv.ParseInt(size, 10, 64); !ok || err != nil || n != offset {
		return nil
	}
	resp.Body.Close() // the 416's own body, if any, is not part of the recording
	return &Download{Body: io.NopCloser(strings.NewReader("")), Offset: offset, Size: offset, ContentType: resp.Header.Get("Content-Type")}
}

// sniffLen is how many leading bytes are inspected, as http.DetectContentType does.
const sniffLen = 512

// isAudio reports whether media, a Content-Type's media type, labels a
// recording: audio/* or application/octet-stream.
func isAudio(media string) bool {
	return strings.HasPrefix(media, "audio/") || media == "application/octet-stream"
}

// readCloser joins the sniffed head and the rest of the body with the
// response's Close.
type readCloser struct {
	io.Reader
	io.Closer
}

// parseContentRange parses "bytes START-END/SIZE"; SIZE "*" (unknown) is -1.
func parseContentRange(v string) (start, size int64, err error) {
	rest, ok := strings.CutPrefix(v, "bytes ")
	rng, total, ok2 := strings.Cut(rest, "/")
	first, _, ok3 := strings.Cut(rng, "-")
	if !ok || !ok2 || !ok3 {
		return 0, 0, fmt.Errorf("malformed Content-Range %q", v)
	}
	if start, err = strconv.ParseInt(first, 10, 64); err != nil {
		return 0, 0, err
	}
	if total == "*" {
		return start, -1, nil
	}
	if size, err = strconv.ParseInt(total, 10, 64); err != nil {
		return 0, 0, err
	}
	return start, size, nil
}

// resolveDownloadURL joins the PBX base URL and a download_resource_url.
// Only a path on the PBX's own origin is accepted: an absolute URL, a
// "//host" form, a query-smuggled host or a path without a leading "/" is
// refused, so the access token is never sent anywhere but the PBX; so is a
// "." or ".." segment, which would leave the base URL's path.
func (c *Client) resolveDownloadURL(resource string) (*url.URL, error) {
	bad := func(reason string) error {
		return &ContentError{Op: "recording/download", ContentType: "application/json", Reason: "download_resource_url " + reason, Err: ErrForeignURL}
	}
	if !strings.HasPrefix(resource, "/") || strings.HasPrefix(resource, "//") || strings.Contains(resource, "\\") {
		return nil, bad("is not a path on the PBX")
	}
	ref, err := url.Parse(resource)
	if err != nil {
		return nil, bad("is not a valid URL path")
	}
	if ref.Scheme != "" || ref.Host != "" || ref.User != nil || ref.Fragment != "" {
		return nil, bad("is not a path on the PBX")
	}
	// "/../x" (or "/%2e%2e/x") would climb out of the base URL's path
	// prefix once a proxy or the server resolves it.
	for _, seg := range strings.Split(ref.Path, "/") {
		if seg == "." || seg == ".." {
			return nil, bad("has a . or .. path segment")
		}
	}
	u := *c.base
	u.Path = c.base.Path + ref.Path
	u.RawPath = ""
	if ref.RawPath != "" {
		u.RawPath = c.base.EscapedPath() + ref.RawPath
	}
	u.RawQuery = ref.RawQuery
	return &u, nil
}
