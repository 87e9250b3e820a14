package reconcile

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/pkg/recording"
)

// BucketAPI is the part of *s3.Client the presence check uses.
type BucketAPI interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
}

var _ BucketAPI = (*s3.Client)(nil)

// presence tells which recordings the bucket holds. Wherever the key
// template allows, it lists key prefixes instead of asking about each key:
// the keys of one day's recordings share the template's prefix up to the
// first per-recording placeholder ({file} or {id}), with {yyyy}/{mm}/{dd}
// from the file name (the PBX's local date, so a window that crosses
// midnight loses nothing); when that placeholder is {file}, the file
// name's leading YYYYMMDD narrows it further. The listing advances in step
// with the pages, which come sorted by ID, roughly the recordings' order:
// memory holds about one listing page per day in the window's current
// stretch. A template whose {id} comes before any date cannot be listed by
// day; it gets a HEAD per recording.
type presence struct {
	api    BucketAPI
	bucket string
	keys   recording.KeyTemplate
	head   recording.KeyTemplate // the template up to its first per-recording placeholder, then {file}
	byFile bool                  // that placeholder is {file}: add the file's YYYYMMDD
	byHead bool                  // HEAD per recording
	scans  map[string]*scan      // by listing prefix
}

// newPresence prepares the checks for keys.
func newPresence(api BucketAPI, bucket string, keys recording.KeyTemplate) *presence {
	p := &presence{api: api, bucket: bucket, keys: keys, scans: map[string]*scan{}}
	tmpl := keys.String()
	if tmpl == "" {
		tmpl = recording.DefaultKeyTemplate
	}
	cut, id := strings.Index(tmpl, "{file}"), strings.Index(tmpl, "{id}")
	p.byFile = id < 0 || cut < id
	if !p.byFile {
		cut = id
	}
	dated := strings.Contains(tmpl[:cut], "{yyyy}") || strings.Contains(tmpl[:cut], "{mm}") || strings.Contains(tmpl[:cut], "{dd}")
	head, err := recording.ParseKeyTemplate(tmpl[:cut] + "{file}")
	p.head, p.byHead = head, err != nil || !p.byFile && !dated
	return p
}

// check is one recording to look for.
type check struct {
	key    string
	prefix string // "" when only a HEAD can tell
}

// plan computes the key of a recording and the prefix that lists it.
func (p *presence) plan(file string, id int64) (check, error) {
	key, err := p.keys.Key(file, id)
	if err != nil {
		return check{}, err
	}
	upTo, listable := p.listedUpTo(file, id)
	if !listable {
		return check{key: key}, nil // only a HEAD can tell
	}
	prefix := upTo[:len(upTo)-len(file)]
	if p.byFile {
		prefix += file[:8]
	}
	return check{key: key, prefix: prefix}, nil
}

// listedUpTo returns the key of file cut after its listable prefix, when
// the template and the file name allow listing: a file name without its
// leading date cannot be placed under a day's prefix.
func (p *presence) listedUpTo(file string, id int64) (string, bool) {
	if p.byHead {
		return "", false
	}
	if _, err := recording.FileTime(file); err != nil {
		return "", false
	}
	upTo, err := p.head.Key(file, id)
	return upTo, err == nil
}

// stored reports whether c's key is in the bucket.
func (p *presence) stored(ctx context.Context, c check) (bool, error) {
	if c.prefix != "" {
		sc := p.scans[c.prefix]
		if sc == nil {
			sc = &scan{prefix: c.prefix}
			p.scans[c.prefix] = sc
		}
		if found, known, err := sc.has(ctx, p, c.key); err != nil || known {
			return found, err
		}
	}
	return p.headExists(ctx, c.key)
}

// pageDone lets the scans forget keys below the lowest key of the page
// just handled, and the scans of prefixes the page did not use.
func (p *presence) pageDone(checks []check) {
	low := map[string]string{}
	for _, c := range checks {
		if l, ok := low[c.prefix]; c.prefix != "" && (!ok || c.key < l) {
			low[c.prefix] = c.key
		}
	}
	for prefix, sc := range p.scans {
		if l, ok := low[prefix]; ok {
			sc.dropBelow(l)
		} else {
			delete(p.scans, prefix)
		}
	}
}

// headExists asks S3 about one key.
func (p *presence) headExists(ctx context.Context, key string) (bool, error) {
	_, err := p.api.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &p.bucket, Key: &key})
	switch code := errorCode(err); {
	case err == nil:
		return true, nil
	case code == "NotFound" || code == "NoSuchKey":
		return false, nil
	default:
		return false, fmt.Errorf("head s3://%s/%s: %w", p.bucket, key, err)
	}
}

// scan is the listing of one prefix, read 1,000 keys at a time as the
// pages reach them.
type scan struct {
	prefix  string
	low     string // keys below it were forgotten
	last    string // the last key listed
	token   *string
	done    bool
	present map[string]struct{}
}

// has reports whether key is listed; known is false when key lies below
// what the scan still remembers (a page out of order), so only a HEAD can
// tell.
func (sc *scan) has(ctx context.Context, p *presence, key string) (found, known bool, err error) {
	if sc.low != "" && key < sc.low {
		return false, false, nil
	}
	for !sc.done && (sc.last == "" || sc.last < key) {
		if err := sc.next(ctx, p); err != nil {
			return false, true, err
		}
	}
	_, found = sc.present[key]
	return found, true, nil
}

// next reads one more listing page.
func (sc *scan) next(ctx context.Context, p *presence) error {
	in := &s3.ListObjectsV2Input{Bucket: &p.bucket, Prefix: &sc.prefix, ContinuationToken: sc.token, MaxKeys: aws.Int32(1000)}
	out, err := p.api.ListObjectsV2(ctx, in)
	if err != nil {
		return fmt.Errorf("list s3://%s/%s*: %w", p.bucket, sc.prefix, err)
	}
	if sc.present == nil {
		sc.present = map[string]struct{}{}
	}
	for _, o := range out.Contents {
		if k := aws.ToString(o.Key); k >= sc.low {
			sc.present[k] = struct{}{}
			sc.last = max(sc.last, k)
		}
	}
	sc.token = out.NextContinuationToken
	sc.done = !aws.ToBool(out.IsTruncated) || sc.token == nil
	return nil
}

// dropBelow forgets the keys below low.
func (sc *scan) dropBelow(low string) {
	if low <= sc.low {
		return
	}
	sc.low = low
	for k := range sc.present {
		if k < low {
			delete(sc.present, k)
		}
	}
}
