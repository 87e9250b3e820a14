package recording

import "time"

// Metadata keys stored with every recording (as x-amz-meta-*).
const (
	MetaRecordingID   = "recording-id"
	MetaRecordingFile = "recording-file"
)

// Result is what a copy did.
type Result struct {
	ID            int64         `json:"id,omitempty"`
	File          string        `json:"file"`
	Bucket        string        `json:"bucket"`
	Key           string        `json:"key"`
	Bytes         int64         `json:"bytes"`
	AlreadyStored bool          `json:"alreadyStored"`
	Duration      time.Duration `json:"-"`
	// Resumes is how often the download was resumed after a drop or
	// stall, over every attempt of the copy.
	Resumes int `json:"-"`
	// BusyWaits is how many attempts were retried because the PBX was
	// serving another mp3 download (70082, ClassBusy).
	BusyWaits int `json:"-"`
}
