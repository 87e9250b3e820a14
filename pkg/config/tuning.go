package config

import "strconv"

// Upload is how the multipart uploader is sized.
type Upload struct {
	PartSizeMiB int // each part buffer
	Concurrency int // parts in flight; buffers held = Concurrency + 1
}

// UploadFor returns the upload sizing for the function's memory setting
// (AWS_LAMBDA_FUNCTION_MEMORY_SIZE, MB) and the copies one instance runs
// at once (copies: BATCH_CONCURRENCY), overridden by UPLOAD_PART_SIZE_MIB
// and UPLOAD_CONCURRENCY. The choice comes from make bench's sweep of part
// sizes and parts in flight (docs/performance.md): below 512 MB, 8 MiB x 2
// cost the least CPU per GiB with peak RSS under half the setting (more
// buffers crowd the Go memory limit and the collector runs hot); from 512
// MB, 16 MiB x 4 cost the least CPU and the least wall time, for about 120
// MiB of RSS. Every copy holds its own buffers, so when the copies' buffers
// together would pass half the setting, fewer parts are kept in flight, and
// then smaller ones (see fit).
func UploadFor(lookup func(string) (string, bool), copies int) (Upload, error) {
	mb := memoryMB(lookup)
	var u Upload
	if mb < 512 {
		u = Upload{PartSizeMiB: 8, Concurrency: 2}
	} else {
		u = Upload{PartSizeMiB: 16, Concurrency: 4}
	}
	u = u.fit(mb / 2 / max(copies, 1))
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

// SDKUploader reports whether UPLOAD_SDK_DEFAULT=true asks for the SDK's
// uploader as it comes (s3store.Options.SDKDefault): for comparing the
// function's own sizing with it, as make bench-path does.
func SDKUploader(lookup func(string) (string, bool)) (bool, error) {
	v, ok := lookup("UPLOAD_SDK_DEFAULT")
	if !ok || v == "" {
		return false, nil
	}
	on, err := strconv.ParseBool(v)
	if err != nil {
		return false, &Error{"UPLOAD_SDK_DEFAULT", "must be true or false"}
	}
	return on, nil
}

// minPartSizeMiB is S3's smallest part but the last.
const minPartSizeMiB = 5

// fit returns u with its buffers ((Concurrency+1) x PartSizeMiB) within
// budget MiB: fewer parts in flight first, since the download (the PBX's
// bandwidth) is slower than the upload and one part in flight keeps up with
// it; then smaller parts, down to S3's 5 MiB (10 MiB a copy: a budget
// below that is not met).
func (u Upload) fit(budget int) Upload {
	for u.Concurrency > 1 && u.buffers() > budget {
		u.Concurrency--
	}
	if u.buffers() > budget {
		u.PartSizeMiB = max(budget/(u.Concurrency+1), minPartSizeMiB)
	}
	return u
}

// buffers is how many MiB of part buffers one upload holds.
func (u Upload) buffers() int { return (u.Concurrency + 1) * u.PartSizeMiB }
