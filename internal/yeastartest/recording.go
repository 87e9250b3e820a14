package yeastartest

import (
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// recordingDownload answers recording/download with a download link.
func (s *Simulator) recordingDownload(c apiCall) any {
	rec, errcode := s.lookup(c.r.URL.Query())
	if errcode != ErrCodeSuccess {
		return errResp(errcode)
	}
	if s.mp3Busy(rec.File) {
		s.stats.MP3Refusals++
		return errResp(ErrCodeOverloadTask)
	}
	s.pruneLinks(c.now)
	name := randomText(16) + "-" + rec.File
	// The map key is the decoded path the download request will carry.
	s.links[DownloadPrefix+name] = link{rec: rec, expires: c.now.Add(s.opts.DownloadLinkLifetime)}
	return downloadURLBody{
		ErrMsg:              ErrMsg(ErrCodeSuccess),
		File:                rec.File,
		DownloadResourceURL: DownloadPrefix + url.PathEscape(name),
	}
}

// lookup finds the recording named by the id or file query parameter.
func (s *Simulator) lookup(q url.Values) (Recording, int) {
	var rec Recording
	var ok bool
	switch id, file := q.Get("id"), q.Get("file"); {
	case id != "":
		n, err := strconv.Atoi(id)
		if err != nil {
			return Recording{}, ErrCodeParameter
		}
		rec, ok = s.byID[n]
	case file != "":
		rec, ok = s.byFile[file]
	default:
		return Recording{}, ErrCodeParameter
	}
	if !ok {
		return Recording{}, ErrCodeDataNotFound
	}
	return rec, ErrCodeSuccess
}

// mp3Busy reports whether a download of file must be refused because the
// PBX serves only one download at a time in .mp3 mode. s.mu must be held.
func (s *Simulator) mp3Busy(file string) bool {
	return s.opts.MP3SingleDownload && isMP3(file) && s.stats.ActiveDownloads > 0
}

// pruneLinks forgets expired download links. s.mu must be held.
func (s *Simulator) pruneLinks(now time.Time) {
	for p, l := range s.links {
		if !now.Before(l.expires) {
			delete(s.links, p)
		}
	}
}

// isMP3 reports whether file is an .mp3 recording.
func isMP3(file string) bool {
	return strings.EqualFold(path.Ext(file), ".mp3")
}

// contentType returns the Content-Type the PBX sends for file: its own
// names for the two formats it records in.
func contentType(file string) string {
	if t, ok := pbxContentTypes[strings.ToLower(path.Ext(file))]; ok {
		return t
	}
	return "application/octet-stream"
}

var pbxContentTypes = map[string]string{".wav": "audio/x-wav", ".mp3": "audio/mpeg"}
