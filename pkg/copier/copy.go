package copier

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/recording-sync/recording-sync/pkg/recording"
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

// PBXs finds the client of a PBX by id.
type PBXs interface {
	// PBX returns the client of PBX id: a *recording.InvalidInputError
	// when no such PBX is configured, an error matching ErrPBXConfig when
	// its configuration cannot be used.
	PBX(ctx context.Context, id string) (PBX, error)
}

var (
	_ PBX   = (*yeastar.Client)(nil)
	_ Store = (*s3store.Store)(nil)
)

// onePBX is the PBXs of a single-PBX copier: the PBX recording.DefaultPBX.
type onePBX struct{ pbx PBX }

func (o onePBX) PBX(_ context.Context, id string) (PBX, error) {
	if id != recording.DefaultPBX {
		return nil, NotConfigured(id)
	}
	return o.pbx, nil
}

// NotConfigured is the error of a reference to PBX id, which the function
// does not serve.
func NotConfigured(id string) error {
	return &recording.InvalidInputError{Reason: "PBX " + id + " is not configured"}
}

// Options hold the optional settings of a Copier.
type Options struct {
	TransientRetry       recording.RetryPolicy // network faults, -2, 5xx; default DefaultTransientRetry
	NotYetAvailableRetry recording.RetryPolicy // 60001; default DefaultNotYetAvailableRetry
	// BusyRetry paces the retries of 70082 (another mp3 download running);
	// default DefaultBusyRetry. Its Attempts bound them only in a copy
	// without a deadline: see Copier.again.
	BusyRetry    recording.RetryPolicy
	MaxResumes   int           // reopenings of one download; default DefaultMaxResumes
	StallTimeout time.Duration // no byte for this long counts as a drop; default DefaultStallTimeout
}

func (o Options) withDefaults() Options {
	if o.TransientRetry.Attempts <= 0 {
		o.TransientRetry = DefaultTransientRetry
	}
	if o.NotYetAvailableRetry.Attempts <= 0 {
		o.NotYetAvailableRetry = DefaultNotYetAvailableRetry
	}
	if o.BusyRetry.Attempts <= 0 {
		o.BusyRetry = DefaultBusyRetry
	}
	if o.MaxResumes <= 0 {
		o.MaxResumes = DefaultMaxResumes
	}
	if o.StallTimeout <= 0 {
		o.StallTimeout = DefaultStallTimeout
	}
	return o
}

// Copier copies recordings from PBXs into one bucket.
type Copier struct {
	pbxs   PBXs
	store  Store
	bucket string
	keys   recording.KeyTemplate
	opts   Options
}

// NewCopier returns a Copier of the single PBX recording.DefaultPBX's
// recordings, writing into bucket under keys.
func NewCopier(pbx PBX, store Store, bucket string, keys recording.KeyTemplate, opts *Options) *Copier {
	return NewCopierOf(onePBX{pbx}, store, bucket, keys, opts)
}

// NewCopierOf returns a Copier of the recordings of every PBX pbxs finds,
// writing into bucket under keys.
func NewCopierOf(pbxs PBXs, store Store, bucket string, keys recording.KeyTemplate, opts *Options) *Copier {
	var o Options
	if opts != nil {
		o = *opts
	}
	return &Copier{pbxs: pbxs, store: store, bucket: bucket, keys: keys, opts: o.withDefaults()}
}

// Copy copies the recording ref names, unless it is already stored.
// Failures are retried by class (see ClassOf and Copier.again) within the
// invocation's deadline, less a reserve that leaves time to abort
// cleanly. The error is an *InvalidInputError, *PermanentError,
// *NotYetAvailableError, *TimeoutError or *RetryableError.
func (c *Copier) Copy(ctx context.Context, ref recording.Ref) (recording.Result, error) {
	start := time.Now()
	if err := ref.Validate(); err != nil {
		return recording.Result{ID: ref.ID, File: ref.File}, err
	}
	pbx, err := c.pbxs.PBX(ctx, recording.PBXOf(ref))
	if err != nil {
		return recording.Result{ID: ref.ID, File: ref.File}, classify(ref, err, false)
	}
	a := attempt{Copier: c, pbx: pbx, id: recording.PBXOf(ref)}
	copyCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if deadline, ok := ctx.Deadline(); ok {
		var cancelDeadline context.CancelFunc
		copyCtx, cancelDeadline = context.WithDeadline(copyCtx, deadline.Add(-reserveFor(ctx)))
		defer cancelDeadline()
	}
	var res recording.Result
	var resumes, busyWaits int
	failures := map[Class]int{} // by retry policy: each bounds its own class
	for {
		res, err = a.copyOnce(copyCtx, ref)
		resumes += res.Resumes
		if err == nil || copyCtx.Err() != nil {
			break
		}
		class := ClassOf(err)
		if class.retried() {
			class = ClassTransient // one policy, one count
		}
		failures[class]++
		if !c.again(copyCtx, class, failures[class]) {
			break
		}
		if class == ClassBusy {
			busyWaits++
		}
	}
	res.Duration, res.Resumes, res.BusyWaits = time.Since(start), resumes, busyWaits
	if err != nil {
		timedOut := copyCtx.Err() != nil && ctx.Err() == nil || errors.Is(err, context.DeadlineExceeded)
		return res, classify(ref, err, timedOut)
	}
	return res, nil
}

// attempt is a copy from one PBX: the client and id of the reference's.
type attempt struct {
	*Copier
	pbx PBX
	id  string
}

// copyOnce makes one attempt: (file named: already stored?) -> link ->
// key -> already stored? -> stream.
func (c attempt) copyOnce(ctx context.Context, ref recording.Ref) (recording.Result, error) {
	res := recording.Result{ID: ref.ID, File: ref.File, Bucket: c.bucket}
	// A reference with a file name gives the key without the PBX: a
	// duplicate message for a stored recording costs a HEAD or two (the
	// name, then the name in the other format, which the PBX may have
	// served instead), no PBX request. (A template the name cannot fill,
	// {id} without an id, is left to the full path, which reports it.)
	var checked []string
	for _, file := range []string{ref.File, recording.OtherFormat(ref.File)} {
		if file == "" {
			continue
		}
		if key, kerr := c.keys.KeyFor(c.id, file, ref.ID); kerr == nil {
			done, err := c.stored(ctx, &res, key)
			if done {
				res.File = file
			}
			if done || err != nil {
				return res, err
			}
			checked = append(checked, key)
		}
	}
	query := yeastar.RecordingQuery{ID: ref.ID}
	if ref.ID <= 0 {
		query.File = ref.File
	}
	if err := awaitTurn(ctx, ref.File); err != nil {
		return res, err
	}
	link, err := c.link(ctx, query)
	if err != nil {
		return res, err
	}
	res.File = link.File
	if res.Key, err = c.keys.KeyFor(c.id, link.File, ref.ID); err != nil {
		return res, err
	}
	// The PBX decides the stored name (stereo recordings change format):
	// a key other than those checked is checked too.
	if !slices.Contains(checked, res.Key) {
		done, err := c.stored(ctx, &res, res.Key)
		if done || err != nil {
			return res, err
		}
	}
	src, err := newResumingReader(ctx, c.opener(query, link), c.opts)
	if err != nil {
		return res, err
	}
	defer func() { _ = src.Close() }() // releases the download; never fails
	up, err := c.store.Upload(ctx, s3store.Object{
		Bucket:      c.bucket,
		Key:         res.Key,
		Size:        src.Size(),
		ContentType: recording.ContentType(link.File),
		Metadata:    recording.MetadataFor(c.id, ref.ID, link.File, ref.Call),
	}, src)
	res.Resumes = src.Resumes() // Upload has returned: src is no longer read
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

// link asks the PBX for a download link and validates the file name it
// answers with.
func (c attempt) link(ctx context.Context, q yeastar.RecordingQuery) (yeastar.DownloadLink, error) {
	link, err := c.pbx.RecordingDownloadLink(ctx, q)
	if err != nil {
		return link, fmt.Errorf("get download link: %w", err)
	}
	// The PBX decides the stored name (stereo recordings change format);
	// it is validated like any input before it reaches a key.
	if err := recording.ValidateFileName(link.File); err != nil {
		// The PBX is at fault, not the event: a permanent error, not an
		// InvalidInputError (which would blame the caller).
		reason := err.Error()
		var inv *recording.InvalidInputError
		if errors.As(err, &inv) {
			reason = inv.Reason
		}
		return link, fmt.Errorf("%w: %s", errBadAnswer, reason)
	}
	return link, nil
}

// opener opens the download at an offset. When the link has expired or
// its token was revoked (the PBX answers 10004 even after the client
// renewed its token, or refuses the GET with HTTP 401, 403 or 404), it asks
// for a new link once; if the PBX refuses that one too, the error is
// permanent (see linkRefused).
func (c attempt) opener(q yeastar.RecordingQuery, link yeastar.DownloadLink) opener {
	return func(ctx context.Context, offset int64) (*yeastar.Download, error) {
		d, err := c.pbx.Download(ctx, link.ResourceURL, offset)
		if !errors.Is(err, &yeastar.APIError{Code: yeastar.CodeTokenExpired}) && !linkRefused(err) {
			return d, err
		}
		fresh, lerr := c.link(ctx, q)
		if lerr != nil {
			return nil, lerr
		}
		if fresh.File != link.File {
			return nil, fmt.Errorf("download link renewed for %q, want %q", fresh.File, link.File)
		}
		link = fresh
		return c.pbx.Download(ctx, link.ResourceURL, offset)
	}
}

// stored checks whether key is stored; when it is, it completes res as
// already stored and done is true.
func (c attempt) stored(ctx context.Context, res *recording.Result, key string) (done bool, err error) {
	exists, size, err := c.store.Exists(ctx, c.bucket, key)
	if err != nil || !exists {
		return false, err
	}
	res.Key, res.Bytes, res.AlreadyStored = key, size, true
	return true, nil
}
