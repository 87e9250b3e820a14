package recording

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"time"

	"github.com/recording-sync/recording-sync/pkg/s3store"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// PBX is what a copy needs from the PBX client.
type PBX interface {
	RecordingDownloadLink(ctx context.Context, q yeastar.RecordingQuery) (yeastar.DownloadLink, error)
	Download(ctx context.Context, resourceURL string, offset int64) (*yeastar.Download, error)
}

// Store is what a copy needs from the bucket.
type Store interface {
	Exists(ctx context.Context, bucket, key string) (bool, int64, error)
	Upload(ctx context.Context, obj s3store.Object, body io.Reader) (s3store.Result, error)
}

var (
	_ PBX   = (*yeastar.Client)(nil)
	_ Store = (*s3store.Store)(nil)
)

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
}

// Copier copies recordings from one PBX into one bucket.
type Copier struct {
	pbx    PBX
	store  Store
	bucket string
	keys   KeyTemplate
}

// NewCopier returns a Copier writing into bucket under keys.
func NewCopier(pbx PBX, store Store, bucket string, keys KeyTemplate) *Copier {
	return &Copier{pbx: pbx, store: store, bucket: bucket, keys: keys}
}

// Copy copies the recording ref names, unless it is already stored. The
// error is an *InvalidInputError, *PermanentError or *RetryableError.
func (c *Copier) Copy(ctx context.Context, ref Ref) (Result, error) {
	start := time.Now()
	res, err := c.copy(ctx, ref)
	res.Duration = time.Since(start)
	if err != nil {
		return res, classify(ref, err)
	}
	return res, nil
}

func (c *Copier) copy(ctx context.Context, ref Ref) (Result, error) {
	if err := ref.Validate(); err != nil {
		return Result{ID: ref.ID, File: ref.File}, err
	}
	res := Result{ID: ref.ID, File: ref.File, Bucket: c.bucket}
	link, err := c.pbx.RecordingDownloadLink(ctx, yeastar.RecordingQuery{ID: ref.ID, File: ref.File})
	if err != nil {
		return res, fmt.Errorf("get download link: %w", err)
	}
	// The PBX decides the stored name (stereo recordings change format);
	// it is validated like any input before it reaches a key.
	if err := ValidateFileName(link.File); err != nil {
		// The PBX is at fault, not the event: a permanent error, not an
		// InvalidInputError (which would drop this context and blame the
		// caller).
		reason := err.Error()
		var inv *InvalidInputError
		if errors.As(err, &inv) {
			reason = inv.Reason
		}
		return res, fmt.Errorf("%w: %s", errBadAnswer, reason)
	}
	res.File = link.File
	if res.Key, err = c.keys.Key(link.File, ref.ID); err != nil {
		return res, err
	}
	exists, size, err := c.store.Exists(ctx, c.bucket, res.Key)
	if err != nil {
		return res, err
	}
	if exists {
		res.Bytes, res.AlreadyStored = size, true
		return res, nil
	}
	dl, err := c.pbx.Download(ctx, link.ResourceURL, 0)
	if err != nil {
		return res, err
	}
	defer dl.Body.Close()
	if dl.Offset != 0 || dl.ContentLength != dl.Size {
		return res, fmt.Errorf("download: PBX answered a partial recording")
	}
	up, err := c.store.Upload(ctx, s3store.Object{
		Bucket:      c.bucket,
		Key:         res.Key,
		Size:        dl.Size,
		ContentType: ContentType(link.File),
		Metadata:    c.metadata(ref.ID, link.File),
	}, dl.Body)
	if errors.Is(err, s3store.ErrAlreadyExists) {
		// Another copy won the race; what it stored is this recording.
		_, size, herr := c.store.Exists(ctx, c.bucket, res.Key)
		if herr != nil {
			return res, herr
		}
		res.Bytes, res.AlreadyStored = size, true
		return res, nil
	}
	if err != nil {
		return res, err
	}
	res.Bytes = up.Size
	return res, nil
}

// metadata records where an object came from.
func (c *Copier) metadata(id int64, file string) map[string]string {
	// S3 metadata travels in headers: keep it ASCII.
	m := map[string]string{MetaRecordingFile: url.PathEscape(file)}
	if id > 0 {
		m[MetaRecordingID] = strconv.FormatInt(id, 10)
	}
	return m
}
