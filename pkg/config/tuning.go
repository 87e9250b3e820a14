package config

import "strconv"

// Upload is how the multipart uploader is sized.
type Upload struct {
	PartSizeMiB int // each part buffer
	Concurrency int // parts in flight; buffers held = Concurrency + 1
}

// UploadFor returns the upload sizing for the function's memory setting
// (AWS_LAMBDA_FUNCTION_MEMORY_SIZE, MB), overridden by UPLOAD_PART_SIZE_MIB
// and UPLOAD_CONCURRENCY. The choice comes from make bench's sweep of part
// sizes and parts in flight (docs/performance.md): below 512 MB, 8 MiB x 2
// cost the least CPU per GiB with peak RSS under half the setting (more
// buffers crowd the Go memory limit and the collector runs hot); from 512
// MB, 16 MiB x 4 cost the least CPU and the least wall time, for about 120
// MiB of RSS.
func UploadFor(lookup func(string) (string, bool)) (Upload, error) {
	mb := memoryMB(lookup)
	var u Upload
	if mb < 512 {
		u = Upload{PartSizeMiB: 8, Concurrency: 2}
	} else {
		u = Upload{PartSizeMiB: 16, Concurrency: 4}
	}
	if v, ok := lookup("UPLOAD_PART_SIZE_MIB"); ok && v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 5 || n > 512 {
			return Upload{}, &Error{"UPLOAD_PART_SIZE_MIB", "must be an integer from 5 to 512"}
		}
		u.PartSizeMiB = n
	}
	if v, ok := lookup("UPLOAD_CONCURRENCY"); ok && v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 16 {
			return Upload{}, &Error{"UPLOAD_CONCURRENCY", "must be an integer from 1 to 16"}
		}
		u.Concurrency = n
	}
	return u, nil
}
