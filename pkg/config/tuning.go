package config

import "strconv"

// Upload is how the multipart uploader is sized.
type Upload struct {
	PartSizeMiB int // each part buffer
	Concurrency int // parts in flight; buffers held = Concurrency + 1
}

// UploadFor returns the upload sizing for the function's memory setting
// (AWS_LAMBDA_FUNCTION_MEMORY_SIZE, MB), overridden by UPLOAD_PART_SIZE_MIB
// and UPLOAD_CONCURRENCY. The buffers take at most about a fifth of the
// memory setting at 128 MB, so the soft memory limit keeps RSS flat; larger
// settings buy more CPU on Lambda, which more parts in flight can use.
func UploadFor(lookup func(string) (string, bool)) (Upload, error) {
	mb := memoryMB(lookup)
	var u Upload
	switch {
	case mb < 512:
		u = Upload{PartSizeMiB: 8, Concurrency: 2}
	case mb < 1769:
		u = Upload{PartSizeMiB: 16, Concurrency: 2}
	default:
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
