package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// accessLog counts the S3 requests of the copying processes from the S3
// server's access log, which the server writes before it answers: once a
// copying process has exited, every request it made is in the log. Reading
// the log costs the copy nothing, where a counting proxy in the way would
// have taken CPU from it.
type accessLog struct {
	path   string
	offset int64 // bytes already counted
}

// take returns the requests logged since the previous take, by operation
// ("UploadPart"), with the status appended when it was an error
// ("HeadObject 404").
func (l *accessLog) take() (map[string]int, error) {
	f, err := os.Open(l.path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }() // read only
	if _, err := f.Seek(l.offset, io.SeekStart); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	// A line being written has no newline yet: leave it for the next take.
	b = b[:bytes.LastIndexByte(b, '\n')+1]
	l.offset += int64(len(b))
	return countOperations(string(b))
}

// countOperations counts the requests of access log lines. A line is
//
//	owner bucket [time zone] ip requester request-id s3_Operation key uri status ...
//
// Lines without an operation (the log's "log starts" header) are skipped.
func countOperations(lines string) (map[string]int, error) {
	counts := map[string]int{}
	for line := range strings.Lines(lines) {
		_, rest, ok := strings.Cut(line, "] ")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 7 || !strings.HasPrefix(f[3], "s3_") {
			return nil, fmt.Errorf("access log: unexpected line %q", strings.TrimSpace(line))
		}
		op := strings.TrimPrefix(f[3], "s3_")
		status, err := strconv.Atoi(f[6])
		if err != nil {
			return nil, fmt.Errorf("access log: status of %q: %w", strings.TrimSpace(line), err)
		}
		if status >= 400 {
			op += " " + f[6]
		}
		counts[op]++
	}
	return counts, nil
}
