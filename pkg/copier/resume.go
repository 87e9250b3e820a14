package copier

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// errRangeIgnored means the PBX answered a resumed download with the whole
// file: the upload cannot continue, it must restart from the first byte.
var errRangeIgnored = errors.New("the PBX ignored the Range request: restarting the copy")

// errStalled marks a download that delivered no byte for the stall timeout.
var errStalled = errors.New("download stalled")

// opener opens the recording's download at a byte offset.
type opener func(ctx context.Context, offset int64) (*yeastar.Download, error)

// resumingReader reads a recording from the PBX. When the connection drops
// or stalls mid-stream it continues from the last byte received (Range:
// bytes=N-) without the reader's consumer noticing, so one multipart upload
// receives the whole recording. It gives up after maxResumes reopenings, and
// returns errRangeIgnored when the PBX does not honour Range.
//
// The size may be unknown (a chunked download, size -1): the recording then
// ends at the body's clean io.EOF, which chunked encoding gives only after
// the last chunk; a body cut before it ends in io.ErrUnexpectedEOF and is
// resumed like a short one. A resumed answer's Content-Range, when it has
// the size, makes the size known from there on.
type resumingReader struct {
	ctx        context.Context
	open       opener
	size       int64
	offset     int64 // bytes delivered so far
	maxResumes int
	resumes    int
	stall      time.Duration
	retry      recording.RetryPolicy

	cur   *yeastar.Download
	watch *time.Timer // armed during each read of cur; fires onStall

	mu     sync.Mutex         // guards cancel and stalls, shared with watch
	cancel context.CancelFunc // cancels cur's request
	stalls bool               // cur was cancelled for stalling
}

// newResumingReader opens the download at offset 0.
func newResumingReader(ctx context.Context, open opener, o Options) (*resumingReader, error) {
	r := &resumingReader{ctx: ctx, open: open, maxResumes: o.MaxResumes, stall: o.StallTimeout, retry: o.TransientRetry}
	d, err := r.openAt(0)
	if err != nil {
		return nil, err
	}
	if d.Offset != 0 || d.ContentLength != d.Size {
		r.cur = d
		r.closeCur()
		return nil, fmt.Errorf("download: PBX answered a partial recording")
	}
	r.size = d.Size
	r.cur = d
	return r, nil
}

// Size is the recording's size, from the first answer's Content-Length, or
// -1 when the first answer had none.
func (r *resumingReader) Size() int64 { return r.size }

// Resumes is how often the download was resumed.
func (r *resumingReader) Resumes() int { return r.resumes }

// openAt opens the download at offset with its own cancellable context,
// so that a stall can cancel it alone. Opening waits on the PBX too (for
// its headers, a fresh link, the first bytes sniffed), so the stall
// watchdog is armed meanwhile.
func (r *resumingReader) openAt(offset int64) (*yeastar.Download, error) {
	ctx, cancel := context.WithCancel(r.ctx)
	r.mu.Lock()
	r.cancel, r.stalls = cancel, false
	r.mu.Unlock()
	r.arm()
	d, err := r.open(ctx, offset)
	r.disarm()
	if err != nil {
		if r.stalled() && r.ctx.Err() == nil {
			err = fmt.Errorf("open download at byte %d: %w for %v", offset, errStalled, r.stall)
		}
		r.closeCur()
		return nil, err
	}
	return d, nil
}

// readCur reads from the current download with the stall watchdog armed
// only while waiting for the PBX: time the consumer spends elsewhere (a slow
// part upload) is not a stall.
func (r *resumingReader) readCur(p []byte) (int, error) {
	r.arm()
	n, err := r.cur.Body.Read(p)
	r.disarm()
	return n, err
}

// arm starts the stall watchdog, unless stalls are not watched.
func (r *resumingReader) arm() {
	switch {
	case r.stall <= 0:
	case r.watch == nil:
		r.watch = time.AfterFunc(r.stall, r.onStall)
	default:
		r.watch.Reset(r.stall)
	}
}

// disarm stops the stall watchdog.
func (r *resumingReader) disarm() {
	if r.watch != nil {
		r.watch.Stop()
	}
}

// onStall cancels the current download request.
func (r *resumingReader) onStall() {
	r.mu.Lock()
	r.stalls = true
	cancel := r.cancel
	r.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// Read implements io.Reader.
func (r *resumingReader) Read(p []byte) (int, error) {
	for {
		if r.size >= 0 && r.offset == r.size {
			return 0, io.EOF
		}
		if r.cur == nil {
			if err := r.reopen(); err != nil {
				return 0, err
			}
			continue // the reopened answer may have told the size
		}
		if r.size >= 0 {
			p = p[:min(int64(len(p)), r.size-r.offset)]
		}
		n, err := r.readCur(p)
		r.offset += int64(n)
		switch {
		case err == nil:
			return n, nil
		case errors.Is(err, io.EOF) && (r.size < 0 || r.offset == r.size):
			// The whole recording; for a chunked one, only its last chunk
			// gives a clean io.EOF (a cut is io.ErrUnexpectedEOF).
			r.size = r.offset
			if n > 0 {
				return n, nil
			}
			return 0, io.EOF
		case r.ctx.Err() != nil:
			r.closeCur()
			return n, r.ctx.Err()
		}
		// The connection dropped, stalled or ended early: resume.
		if r.stalled() {
			err = fmt.Errorf("%w for %v", errStalled, r.stall)
		}
		r.closeCur()
		if r.resumes >= r.maxResumes {
			return n, fmt.Errorf("download dropped at byte %d of %s, %d resumes used: %w", r.offset, r.sizeText(), r.resumes, err)
		}
		if n > 0 {
			return n, nil
		}
	}
}

// sizeText is the size for messages.
func (r *resumingReader) sizeText() string {
	if r.size < 0 {
		return "an unknown size"
	}
	return strconv.FormatInt(r.size, 10)
}

// reopen resumes the download at r.offset, retrying transient failures
// within the resume budget.
func (r *resumingReader) reopen() error {
	for {
		r.resumes++
		d, err := r.openAt(r.offset)
		if err == nil {
			return r.resumeWith(d)
		}
		if class := ClassOf(err); !class.retried() && class != ClassBusy || r.resumes >= r.maxResumes || !sleep(r.ctx, r.retry.Backoff(r.resumes)) {
			return fmt.Errorf("resume download at byte %d: %w", r.offset, err)
		}
	}
}

// resumeWith continues with d, the answer to a resumed request, when it
// starts where the recording was cut and agrees with its size; a size the
// reader did not know is taken from it.
func (r *resumingReader) resumeWith(d *yeastar.Download) error {
	r.cur = d
	switch {
	case d.Offset == 0 && r.offset > 0:
		r.closeCur()
		return errRangeIgnored
	case d.Offset != r.offset || d.Size >= 0 && (d.Size < r.offset || r.size >= 0 && d.Size != r.size):
		r.closeCur()
		return fmt.Errorf("download: resumed at byte %d of %s, the PBX answered byte %d of %d", r.offset, r.sizeText(), d.Offset, d.Size)
	}
	if r.size < 0 {
		r.size = d.Size // still -1 when the PBX does not say
	}
	return nil
}

// stalled reports whether the current download was cancelled for stalling.
func (r *resumingReader) stalled() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stalls
}

// closeCur closes the current download, if any.
func (r *resumingReader) closeCur() {
	if r.cur != nil {
		r.cur.Body.Close()
		r.cur = nil
	}
	r.mu.Lock()
	cancel := r.cancel
	r.cancel = nil
	r.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// Close releases the current download.
func (r *resumingReader) Close() error {
	r.closeCur()
	return nil
}
