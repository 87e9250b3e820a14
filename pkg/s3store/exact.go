package s3store

import (
	"errors"
	"fmt"
	"io"
)

// SizeError reports a source that delivered a different number of bytes
// than announced.
type SizeError struct {
	Want, Got int64
	Long      bool // the source had more bytes than announced
}

func (e *SizeError) Error() string {
	if e.Long {
		return fmt.Sprintf("source longer than its announced %d bytes", e.Want)
	}
	return fmt.Sprintf("source ended after %d of %d bytes", e.Got, e.Want)
}

// exactReader passes through exactly remaining bytes of r and fails, rather
// than reporting io.EOF, when r ends early or has bytes left over. The
// uploader then aborts instead of completing a wrong object. With atMost,
// remaining is a limit instead: r may end before it, not pass it.
type exactReader struct {
	r         io.Reader
	remaining int64
	read      int64
	atMost    bool
	failed    bool // Read has returned an error other than io.EOF
}

func (e *exactReader) Read(p []byte) (int, error) {
	n, err := e.read1(p)
	if err != nil && !errors.Is(err, io.EOF) {
		e.failed = true
	}
	return n, err
}

func (e *exactReader) read1(p []byte) (int, error) {
	if e.remaining == 0 {
		var probe [1]byte
		n, err := e.r.Read(probe[:])
		if n > 0 {
			return 0, &SizeError{Want: e.read, Got: e.read + 1, Long: true}
		}
		if err == nil || err == io.EOF {
			return 0, io.EOF
		}
		return 0, err
	}
	if int64(len(p)) > e.remaining {
		p = p[:e.remaining]
	}
	n, err := e.r.Read(p)
	e.remaining -= int64(n)
	e.read += int64(n)
	if err == io.EOF {
		switch {
		case e.remaining > 0 && e.atMost:
			return n, io.EOF // the whole source, under the limit
		case e.remaining > 0:
			return n, &SizeError{Want: e.read + e.remaining, Got: e.read}
		}
		err = nil
	}
	return n, err
}
