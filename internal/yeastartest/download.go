package yeastartest

import (
	"fmt"
	"net/http"
	"strconv"
)

// downloadPlan is what one accepted download request will stream.
type downloadPlan struct {
	rec  Recording
	rng  byteRange
	cut  int64 // body bytes to send before a fault strikes; -1 for none
	drop bool  // after cut bytes, close the TCP connection abruptly
}

// serveDownload answers GET /api/download/...?access_token=...
func (s *Simulator) serveDownload(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	plan, refuse := s.planDownload(r)
	if refuse != nil {
		refuse(w)
		return
	}
	s.stream(w, r, plan)
}

// planDownload validates a download request. It returns either the plan to
// stream or, when the request is not answered with audio, the answer.
func (s *Simulator) planDownload(r *http.Request) (downloadPlan, func(http.ResponseWriter)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	if s.seeUserAgent(r) == "" {
		return downloadPlan{}, answerErr(ErrCodeParameter)
	}
	tok := r.URL.Query().Get("access_token")
	if _, ok := s.tokens.access(tok, now); !ok {
		s.refuseToken(tok)
		return downloadPlan{}, answerErr(ErrCodeTokenExpired)
	}
	l, ok := s.links[r.URL.Path]
	if !ok || !now.Before(l.expires) {
		s.stats.InvalidLinkRequests++
		return downloadPlan{}, answerErr(ErrCodeTokenExpired)
	}
	if f, ok := s.faults.body.take(l.rec.File, true); ok {
		s.stats.Faults.Body++
		return downloadPlan{}, answerBody(f.contentType, f.body)
	}
	if s.mp3Busy(l.rec.File) {
		s.stats.MP3Refusals++
		return downloadPlan{}, answerErr(ErrCodeOverloadTask)
	}
	rng, ok := parseRange(r.Header.Get("Range"), l.rec.Size, s.opts.DisableRange)
	if !ok {
		return downloadPlan{}, answerUnsatisfiable(l.rec.Size)
	}
	plan := downloadPlan{rec: l.rec, rng: rng, cut: -1}
	if f, ok := s.faults.drop.take(l.rec.File, true); ok {
		plan.cut, plan.drop = f.n, true
		s.stats.Faults.Dropped++
	} else if f, ok := s.faults.short.take(l.rec.File, true); ok {
		plan.cut = f.n
		s.stats.Faults.Short++
	}
	s.stats.ActiveDownloads++
	s.stats.DownloadsStarted++
	s.stats.DownloadRanges = append(s.stats.DownloadRanges, rng.requested)
	return plan, nil
}

// answerErr answers HTTP 200 with a JSON errcode, as the download host does
// for a bad token or link: never a 4xx.
func answerErr(errcode int) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) { writeErr(w, errcode) }
}

// answerBody answers HTTP 200 with a fixed body (the DownloadBody fault).
func answerBody(contentType, body string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write([]byte(body)) // a write error means the client went away
	}
}

// answerUnsatisfiable answers 416 for a range past the end of the file.
func answerUnsatisfiable(size int64) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", size))
		w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
	}
}
