package config

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/recording-sync/recording-sync/pkg/recording"
)

// Reconcile is the reconciler's configuration beyond the copy function's.
type Reconcile struct {
	// QueueURL is the recording queue the copy function reads
	// (RECORDINGS_QUEUE_URL).
	QueueURL string
	// Lookback and Settle bound the window of a scheduled run: [fired -
	// Lookback, fired - Settle] (RECONCILE_LOOKBACK, RECONCILE_SETTLE).
	Lookback, Settle time.Duration
	// RequeueAfter is how long a queued recording is not queued again
	// (RECONCILE_REQUEUE_AFTER).
	RequeueAfter time.Duration
	// MaxPages and MaxQueued cap the searches and the messages of one run,
	// against a PBX that pages wrong (RECONCILE_MAX_PAGES,
	// RECONCILE_MAX_QUEUED).
	MaxPages, MaxQueued int
	// PBXConcurrency is how many PBXs a run with a PBX registry works on
	// at once (RECONCILE_PBX_CONCURRENCY).
	PBXConcurrency int
	// StateKey is the reconciler's state object, beside the shared token
	// object (TOKEN_CACHE_KEY): reconcile-state.json in its folder.
	StateKey string
}

// Defaults of Reconcile.
const (
	DefaultReconcileLookback     = 26 * time.Hour
	DefaultReconcileSettle       = 10 * time.Minute
	DefaultReconcileRequeueAfter = 6 * time.Hour
	// DefaultReconcileMaxPages and DefaultReconcileMaxQueued are generous
	// for 100,000 recordings a day: a 26-hour window of them is about
	// 1,100 pages of 100.
	DefaultReconcileMaxPages  = 10_000
	DefaultReconcileMaxQueued = 150_000
	// DefaultReconcilePBXConcurrency: 100 PBXs of 1,000 recordings a day
	// fit one run (docs/reconcile-performance.md).
	DefaultReconcilePBXConcurrency = 4
	maxReconcilePBXConcurrency     = 32
)

// LoadReconcile reads the reconciler's own variables; c is the shared
// configuration Load returned.
func LoadReconcile(c Config, lookup func(string) (string, bool)) (Reconcile, error) {
	get := func(name string) string {
		v, _ := lookup(name)
		return strings.TrimSpace(v)
	}
	var r Reconcile
	var err error
	if r.QueueURL, err = queueURL(get, "RECORDINGS_QUEUE_URL", true); err != nil {
		return Reconcile{}, err
	}
	if v := get("AWS_ENDPOINT_URL_SQS"); v != "" {
		if u, err := url.Parse(v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return Reconcile{}, &Error{"AWS_ENDPOINT_URL_SQS", "must be an http(s) URL"}
		}
	}
	if r.Lookback, err = duration(get, "RECONCILE_LOOKBACK", DefaultReconcileLookback); err != nil {
		return Reconcile{}, err
	}
	if r.Settle, err = duration(get, "RECONCILE_SETTLE", DefaultReconcileSettle); err != nil {
		return Reconcile{}, err
	}
	if r.RequeueAfter, err = duration(get, "RECONCILE_REQUEUE_AFTER", DefaultReconcileRequeueAfter); err != nil {
		return Reconcile{}, err
	}
	if r.MaxPages, err = count(get, "RECONCILE_MAX_PAGES", DefaultReconcileMaxPages, "pages a run may search"); err != nil {
		return Reconcile{}, err
	}
	if r.MaxQueued, err = count(get, "RECONCILE_MAX_QUEUED", DefaultReconcileMaxQueued, "recordings a run may queue"); err != nil {
		return Reconcile{}, err
	}
	if r.PBXConcurrency, err = count(get, "RECONCILE_PBX_CONCURRENCY", DefaultReconcilePBXConcurrency, "PBXs a run works on at once"); err != nil {
		return Reconcile{}, err
	}
	if r.PBXConcurrency > maxReconcilePBXConcurrency {
		return Reconcile{}, &Error{"RECONCILE_PBX_CONCURRENCY", fmt.Sprintf("must be at most %d", maxReconcilePBXConcurrency)}
	}
	if r.Settle >= r.Lookback {
		return Reconcile{}, &Error{"RECONCILE_SETTLE", "must be shorter than RECONCILE_LOOKBACK"}
	}
	if r.RequeueAfter == 0 {
		return Reconcile{}, &Error{"RECONCILE_REQUEUE_AFTER", "must be a positive duration, e.g. 6h"}
	}
	r.StateKey = StateKeyFor(c.TokenCacheKey, recording.DefaultPBX)
	return r, nil
}

// duration reads a Go duration, at least zero, or returns def when unset.
func duration(get func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := get(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, &Error{name, "must be a Go duration such as 26h, 10m or 6h"}
	}
	return d, nil
}

// count reads a positive whole number, or returns def when unset; what
// says what it counts, for the error.
func count(get func(string) string, name string, def int, what string) (int, error) {
	v := get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 100_000_000 {
		return 0, &Error{name, fmt.Sprintf("must be a whole number from 1 to 100000000 (the most %s), e.g. %d", what, def)}
	}
	return n, nil
}
