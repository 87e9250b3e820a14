package reconcile

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/s3store"
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
// name's leading YYYYMMDD narrows it further (a name without that date
// lists the prefix of its own stem). A prefix's listing advances as the
// pages reach its keys and is kept, from the prefix's first key on, while
// the pages use it: pages come sorted by ID, not by call start, so a long
// call may sort below keys already listed. Memory holds the listed keys of
// the days the current page touches; a prefix a later page needs again is
// listed again. A template whose {id} comes before any date cannot be
// listed by day; it gets a HEAD per recording (which needs s3:GetObject).
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
	keys   []string // its key, then its key in the other format, if any
	prefix string   // "" when only a HEAD can tell
}

// plan computes the keys a recording may be stored under and the prefix
// that lists them. The PBX may serve a recording searched as x.wav as
// x.mp3 (a stereo recording converted), and the copy function stores it
// under the name served: either counts as stored.
func (p *presence) plan(file string, id int64) (check, error) {
	key, err := p.keys.Key(file, id)
	if err != nil {
		return check{}, err
	}
	c := check{keys: []string{key}}
	if alt := recording.OtherFormat(file); alt != "" {
		if k, err := p.keys.Key(alt, id); err == nil {
			c.keys = append(c.keys, k)
		}
	}
	if p.byHead {
		return c, nil // only a HEAD can tell
	}
	upTo, err := p.head.Key(file, id)
	if err != nil {
		return check{}, err
	}
	c.prefix = upTo[:len(upTo)-len(file)]
	if p.byFile {
		if _, err := recording.FileTime(file); err == nil {
			c.prefix += file[:8]
		} else {
			c.prefix += stem(file)
		}
	}
	return c, nil
}

// stem is file without its extension.
func stem(file string) string { return strings.TrimSuffix(file, path.Ext(file)) }

// stored reports whether one of c's keys is in the bucket.
func (p *presence) stored(ctx context.Context, c check) (bool, error) {
	if c.prefix == "" {
		for _, k := range c.keys {
			if found, err := p.headExists(ctx, k); err != nil || found {
				return found, err
			}
		}
		return false, nil
	}
	sc := p.scans[c.prefix]
	if sc == nil {
		sc = &scan{prefix: c.prefix, present: map[string]struct{}{}}
		p.scans[c.prefix] = sc
	}
	return sc.hasAny(ctx, p, c.keys)
}

// pageDone forgets the scans of prefixes the page just handled did not use.
func (p *presence) pageDone(checks []check) {
	used := map[string]bool{}
	for _, c := range checks {
		used[c.prefix] = true
	}
	for prefix := range p.scans {
		if !used[prefix] {
			delete(p.scans, prefix)
		}
	}
}

// headExists asks S3 about one key.
func (p *presence) headExists(ctx context.Context, key string) (bool, error) {
	_, err := p.api.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &p.bucket, Key: &key})
	switch {
	case err == nil:
		return true, nil
	case s3store.KindOf(err) == s3store.NoSuchKey:
		return false, nil
	default:
		return false, fmt.Errorf("head s3://%s/%s: %w", p.bucket, key, err)
	}
}

// scan is the listing of one prefix from its first key, read 1,000 keys at
// a time as the pages reach them.
type scan struct {
	prefix  string
	last    string // the last key listed
	token   *string
	done    bool
	present map[string]struct{}
}

// hasAny reports whether one of keys is listed, listing on until the scan
// has passed them all.
func (sc *scan) hasAny(ctx context.Context, p *presence, keys []string) (bool, error) {
	upTo := slices.Max(keys)
	for !sc.done && sc.last < upTo {
		if err := sc.next(ctx, p); err != nil {
			return false, err
		}
	}
	return slices.ContainsFunc(keys, func(k string) bool { _, ok := sc.present[k]; return ok }), nil
}

// next reads one more listing page.
func (sc *scan) next(ctx context.Context, p *presence) error {
	in := &s3.ListObjectsV2Input{Bucket: &p.bucket, Prefix: &sc.prefix, ContinuationToken: sc.token, MaxKeys: aws.Int32(1000)}
	out, err := p.api.ListObjectsV2(ctx, in)
	if err != nil {
		return fmt.Errorf("list s3://%s/%s*: %w", p.bucket, sc.prefix, err)
	}
	for _, o := range out.Contents {
		k := aws.ToString(o.Key)
		sc.present[k] = struct{}{}
		sc.last = max(sc.last, k)
	}
	sc.token = out.NextContinuationToken
	sc.done = !aws.ToBool(out.IsTruncated) || sc.token == nil
	return nil
}
