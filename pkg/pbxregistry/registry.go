package pbxregistry

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"
)

// DefaultRefresh is how often a Registry reads its source again by
// default: a PBX added or removed is served or refused within it.
const DefaultRefresh = 5 * time.Minute

// Source reads the PBXs a registry holds.
type Source interface {
	// Read returns every PBX the source holds now. Entries are by id;
	// Skipped lists what looked like a PBX but cannot be one, and why.
	Read(ctx context.Context) (Snapshot, error)
}

// Snapshot is what one Read found.
type Snapshot struct {
	Entries map[string]Entry
	Skipped []Skipped
}

// Skipped is something a source holds that is not served as a PBX: a
// secret's (or an entry's) name and why, never its value.
type Skipped struct {
	Name, Reason string
}

// Report is what one read of the source gave, for the caller to log and
// to register the secrets of with its redactor.
type Report struct {
	// Entries are the PBXs read, by id order (the source's, without
	// Options.Default); empty when Err is set.
	Entries []Entry
	Skipped []Skipped
	// Err is why the read failed: the registry keeps the PBXs read last.
	Err error
}

// Options are a Registry's optional settings.
type Options struct {
	// Default, when set, is the single-PBX environment's PBX: always in
	// the registry as id Default, whatever the source says (an entry
	// "default" in the source is skipped).
	Default *Entry
	// Refresh is the least time between two reads of the source
	// (default DefaultRefresh).
	Refresh time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// OnRead, when set, is told of every read, failed or not, after the
	// registry took it in.
	OnRead func(ctx context.Context, r Report)
	// Redact, when set, is given every secret of Default and of each
	// entry read, before the Registry serves the entry or OnRead hears of
	// it: the caller's redactor knows a secret before anything can print
	// it.
	Redact func(secret string)
}

// Registry holds the PBXs of a source, read again at most once per
// refresh interval, when asked after it has passed. It is safe for
// concurrent use; no lock is held while the source is read, and while one
// caller reads it the others are answered from what was read before.
type Registry struct {
	src     Source
	def     *Entry
	refresh time.Duration
	now     func() time.Time
	onRead  func(context.Context, Report)
	redact  func(string)

	mu      sync.Mutex
	entries map[string]Entry
	readAt  time.Time
	reading bool
}

// New returns a Registry of src's PBXs (and opts.Default), read once now:
// a source that cannot be read at start is an error. src may be nil for
// the single PBX of opts.Default alone. opts may be nil.
func New(ctx context.Context, src Source, opts *Options) (*Registry, error) {
	r := &Registry{src: src, refresh: DefaultRefresh, now: time.Now, redact: func(string) {}}
	if opts != nil {
		r.def, r.onRead = opts.Default, opts.OnRead
		if opts.Redact != nil {
			r.redact = opts.Redact
		}
		if opts.Refresh > 0 {
			r.refresh = opts.Refresh
		}
		if opts.Now != nil {
			r.now = opts.Now
		}
	}
	if r.def != nil {
		r.redactAll(*r.def)
	}
	r.entries = r.merge(Snapshot{})
	if src == nil {
		return r, nil
	}
	r.readAt, r.reading = r.now(), true
	if err := r.read(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

// Lookup returns PBX id's entry, and false when the registry holds no such
// PBX. It reads the source only when the refresh interval has passed,
// never because id is unknown. Its error is ctx's, when ctx is done.
func (r *Registry) Lookup(ctx context.Context, id string) (Entry, bool, error) {
	if err := r.refreshed(ctx); err != nil {
		return Entry{}, false, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.entries[id]
	return e, ok, nil
}

// IDs returns the ids of the PBXs the registry holds, sorted.
func (r *Registry) IDs(ctx context.Context) ([]string, error) {
	if err := r.refreshed(ctx); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Sorted(maps.Keys(r.entries)), nil
}

// refreshed reads the source again when it is due, unless another caller
// already does.
func (r *Registry) refreshed(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if r.claim() {
		_ = r.read(ctx) // a failed re-read keeps the entries held, and is reported
	}
	return nil
}

// claim reports whether a read is due, and if so marks it taken: at most
// one read at a time, and the next one a refresh interval after this
// one's start, whether it succeeds or not.
func (r *Registry) claim() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	if r.src == nil || r.reading || now.Before(r.readAt.Add(r.refresh)) {
		return false
	}
	r.readAt, r.reading = now, true
	return true
}

// read reads the source, without the lock, and takes in what it found;
// on failure it keeps the entries held.
func (r *Registry) read(ctx context.Context) error {
	snap, err := r.src.Read(ctx)
	for _, e := range snap.Entries {
		r.redactAll(e)
	}
	rep := Report{Err: err}
	r.mu.Lock()
	r.reading = false
	if err == nil {
		merged := r.merge(snap)
		r.entries = merged
		rep.Skipped = snap.Skipped
		if r.def != nil && snap.Entries[Default].ID != "" {
			rep.Skipped = append(rep.Skipped, Skipped{Name: Default,
				Reason: "the PBX default is the single-PBX configuration of the environment; the source's entry is not used"})
		}
		for _, id := range slices.Sorted(maps.Keys(snap.Entries)) {
			if r.def == nil || id != Default {
				rep.Entries = append(rep.Entries, snap.Entries[id])
			}
		}
	}
	r.mu.Unlock()
	if r.onRead != nil {
		r.onRead(ctx, rep)
	}
	return err
}

// redactAll gives e's secrets to the caller's redactor.
func (r *Registry) redactAll(e Entry) {
	for _, s := range e.Secrets() {
		r.redact(s)
	}
}

// merge is the source's entries with Default over them.
func (r *Registry) merge(snap Snapshot) map[string]Entry {
	m := make(map[string]Entry, len(snap.Entries)+1)
	maps.Copy(m, snap.Entries)
	if r.def != nil {
		d := *r.def
		d.ID = Default
		m[Default] = d
	}
	return m
}
