package yeastartest

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// errClosed stops a download when the Simulator is closed.
var errClosed = errors.New("yeastartest: simulator closed")

// transfer is one download body being streamed.
type transfer struct {
	s         *Simulator
	w         http.ResponseWriter
	rc        *http.ResponseController
	r         *http.Request
	file      string
	length    int64 // bytes the response declares
	ended     bool
	throttled bool // counted in Stats.Faults.Throttled
}

// stream writes the headers and the body of an accepted download, applying
// the plan's fault.
func (s *Simulator) stream(w http.ResponseWriter, r *http.Request, p downloadPlan) {
	t := &transfer{s: s, w: w, rc: http.NewResponseController(w), r: r, file: p.rec.File, length: p.rng.end - p.rng.start}
	defer t.end(false)
	if t.length == 0 {
		t.end(true) // nothing to copy: complete once the headers go out
	}
	t.writeHeader(p.rng)
	limit := t.length
	if p.cut >= 0 && p.cut < t.length {
		limit = p.cut
	}
	src := newContentReader(p.rec.File, p.rng.start, p.rng.end)
	if err := t.copy(src, limit); err != nil || limit == t.length {
		return
	}
	t.end(false) // before the client can see the connection end
	if p.drop || t.s.opts.ChunkedDownloads {
		_ = t.rc.Flush()
		if conn, _, err := t.rc.Hijack(); err == nil {
			_ = conn.Close() // abrupt end: the client gets fewer bytes than Content-Length
		}
	}
	// A short download just returns: net/http closes the connection because
	// fewer bytes than Content-Length were written. A chunked one cannot
	// return (net/http would end it with the last chunk, a whole body): it
	// is dropped above.
}

// writeHeader sends the status line and headers of an audio answer.
func (t *transfer) writeHeader(rng byteRange) {
	h := t.w.Header()
	h.Set("Content-Type", contentType(t.file))
	if !t.s.opts.ChunkedDownloads {
		// Without it, the Flush below makes net/http send the body chunked.
		h.Set("Content-Length", strconv.FormatInt(t.length, 10))
	}
	if !t.s.opts.DisableRange {
		h.Set("Accept-Ranges", "bytes")
	}
	status := http.StatusOK
	if rng.partial {
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", rng.start, rng.end-1, rng.size))
		status = http.StatusPartialContent
	}
	t.w.WriteHeader(status)
	_ = t.rc.Flush() // let the client see the headers before the body
}

// copy sends limit bytes from src through one fixed buffer, honouring the
// file's throttle.
func (t *transfer) copy(src *contentReader, limit int64) error {
	buf := make([]byte, bufSize)
	var sent int64
	bps := t.s.throttleFor(t.file)
	for sent < limit {
		chunk := int64(len(buf))
		if bps > 0 {
			t.countThrottled()
			chunk = max(1, min(chunk, bps/10)) // about ten writes a second
		}
		n, _ := src.Read(buf[:min(chunk, limit-sent)]) // never short before the end
		last := sent+int64(n) == t.length
		// Stats are updated before the write: once the client has the bytes,
		// Stats must already show them (and the completion, and that the
		// download no longer blocks an .mp3 one).
		t.s.countBytes(int64(n))
		if last {
			t.end(true)
		}
		m, err := t.w.Write(buf[:n])
		sent += int64(m)
		if err != nil {
			t.s.uncount(int64(n-m), last)
			return err
		}
		if bps > 0 {
			_ = t.rc.Flush()
		}
		if err := t.s.pause(t.r, delay(m, bps)); err != nil {
			return err
		}
		bps = t.s.throttleFor(t.file)
	}
	return nil
}

// countThrottled records, once, that the throttle slowed this download.
func (t *transfer) countThrottled() {
	if t.throttled {
		return
	}
	t.throttled = true
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	t.s.stats.Faults.Throttled++
}

// end records, once, that the body is no longer being streamed.
func (t *transfer) end(completed bool) {
	if t.ended {
		return
	}
	t.ended = true
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	t.s.stats.ActiveDownloads--
	if completed {
		t.s.stats.DownloadsCompleted++
	}
}

// delay is how long sending n bytes takes at bps bytes per second.
func delay(n int, bps int64) time.Duration {
	if bps <= 0 {
		return 0
	}
	return time.Duration(int64(n) * int64(time.Second) / bps)
}

// countBytes records n body bytes handed to the connection.
func (s *Simulator) countBytes(n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.DownloadBytes += n
}

// uncount takes back n bytes that a failed write did not send, and the
// completion counted before the last write.
func (s *Simulator) uncount(n int64, completed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.DownloadBytes -= n
	if completed {
		s.stats.DownloadsCompleted--
	}
}

// throttleFor returns the current throttle of file in bytes per second.
func (s *Simulator) throttleFor(file string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.throttleFor(file)
}

// pause waits d, or less when the client goes away or the Simulator closes.
func (s *Simulator) pause(r *http.Request, d time.Duration) error {
	if d <= 0 {
		select {
		case <-s.done:
			return errClosed
		default:
			return nil
		}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-r.Context().Done():
		return r.Context().Err()
	case <-s.done:
		return errClosed
	}
}
