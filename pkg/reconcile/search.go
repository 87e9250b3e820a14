package reconcile

import (
	"context"
	"fmt"
	"time"

	"github.com/recording-sync/recording-sync/internal/wait"
	"github.com/recording-sync/recording-sync/pkg/copier"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// search reads one page of w, retried as retry says.
func (ru *run) search(ctx context.Context, w Window, page int) (yeastar.SearchPage, error) {
	q := yeastar.SearchQuery{Start: w.From, End: w.To, Page: page, PageSize: ru.opts.PageSize, SortBy: "id", OrderBy: "asc"}
	got, err := retry(ctx, ru, func() (yeastar.SearchPage, error) { return ru.pbx.SearchRecordings(ctx, q) })
	if err != nil {
		return got, fmt.Errorf("search %s page %d: %w", w, page, err)
	}
	return got, nil
}

// retry makes a PBX request as the copy function does: transient failures
// (-2, a refused connection, 60002 while the token cache waits for a free
// slot) again with backoff, until the run's stop time; permanent ones (bad
// credentials, 10005, 70004, a firmware without the endpoint...) never.
// The client itself renews its token on 10004.
func retry[T any](ctx context.Context, ru *run, call func() (T, error)) (T, error) {
	for attempt := 1; ; attempt++ {
		got, err := call()
		if err == nil {
			return got, nil
		}
		policy := ru.opts.TransientRetry
		switch copier.ClassOf(err) {
		case copier.ClassPermanent, copier.ClassInvalidInput:
			return got, err
		case copier.ClassBusy:
			policy = ru.opts.BusyRetry
		}
		if attempt >= policy.Attempts || ctx.Err() != nil || !ru.wait(ctx, policy.Backoff(attempt)) {
			return got, fmt.Errorf("%d attempts: %w", attempt, err)
		}
	}
}

// wait sleeps d unless ctx ends first or the wait would pass the time the
// run must stop; it reports whether another attempt is worth making.
func (ru *run) wait(ctx context.Context, d time.Duration) bool {
	if !ru.stopAt.IsZero() && ru.opts.Now().Add(d).After(ru.stopAt) {
		return false
	}
	return wait.For(ctx, d) == nil
}
