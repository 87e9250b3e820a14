package copier

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/recording-sync/recording-sync/pkg/recording"
	"github.com/recording-sync/recording-sync/pkg/s3store"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// copyWith copies recording 1727 of 1000 bytes with quick retries, after
// setup has armed the PBX's and the store's faults.
func copyWith(t *testing.T, setup func(*rangePBX, *hashStore)) (*rangePBX, *hashStore, recording.Result, error) {
	t.Helper()
	p := newRangePBX(t, 1000)
	s := &hashStore{}
	setup(p, s)
	res, err := newTestCopier(t, p, s, quickRetries()).Copy(t.Context(), recording.Ref{ID: 1727})
	return p, s, res, err
}

// bubble runs test in a synctest bubble: its timers, sleeps and deadlines
// run on a fake clock that jumps ahead whenever every goroutine of the
// bubble is blocked, so waits take no real time and durations are exact.
func bubble(test func(t *testing.T)) func(t *testing.T) {
	return func(t *testing.T) { synctest.Test(t, test) }
}

func TestReserveFor(t *testing.T) { synctest.Test(t, testReserveFor) }

func testReserveFor(t *testing.T) {
	if got := reserveFor(t.Context()); got != 0 {
		t.Errorf("reserveFor(no deadline) = %v, want 0", got)
	}
	tests := []struct {
		left, want time.Duration
	}{
		{5 * time.Second, time.Second}, // a tenth is below the floor
		{60 * time.Second, 6 * time.Second},
		{10 * time.Minute, 10 * time.Second}, // a tenth is above the ceiling
	}
	for _, tt := range tests {
		ctx, cancel := context.WithTimeout(t.Context(), tt.left)
		got := reserveFor(ctx)
		cancel()
		if got != tt.want {
			t.Errorf("reserveFor(%v left) = %v, want %v", tt.left, got, tt.want)
		}
	}
}

func TestSleep(t *testing.T) {
	tests := []struct {
		name string
		ctx  func(t *testing.T) context.Context
		d    time.Duration
		want bool
		took time.Duration // on the bubble's clock
	}{
		{"no deadline", func(t *testing.T) context.Context { return t.Context() }, 10 * time.Millisecond, true, 10 * time.Millisecond},
		{"deadline far", withTimeout(5 * time.Second), 10 * time.Millisecond, true, 10 * time.Millisecond},
		{"deadline leaves d+1s", withTimeout(1500 * time.Millisecond), 500 * time.Millisecond, true, 500 * time.Millisecond},
		{"deadline leaves less than d+1s", withTimeout(1500 * time.Millisecond), 500*time.Millisecond + 1, false, 0},
		{"deadline before d", withTimeout(1500 * time.Millisecond), time.Hour, false, 0},
		{"cancelled", func(t *testing.T) context.Context {
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			return ctx
		}, time.Hour, false, 0},
		{"cancelled while waiting", func(t *testing.T) context.Context {
			ctx, cancel := context.WithCancel(t.Context())
			time.AfterFunc(20*time.Millisecond, cancel)
			return ctx
		}, time.Hour, false, 20 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, bubble(func(t *testing.T) {
			ctx := tt.ctx(t)
			start := time.Now()
			got := sleep(ctx, tt.d)
			if got != tt.want {
				t.Errorf("sleep(%v) = %v, want %v", tt.d, got, tt.want)
			}
			if took := time.Since(start); took != tt.took {
				t.Errorf("sleep(%v) took %v, want %v", tt.d, took, tt.took)
			}
		}))
	}
}

func withTimeout(d time.Duration) func(t *testing.T) context.Context {
	return func(t *testing.T) context.Context {
		ctx, cancel := context.WithTimeout(t.Context(), d)
		t.Cleanup(cancel)
		return ctx
	}
}

// quickRetries are testOptions with room for a few attempts of each class.
func quickRetries() Options {
	o := testOptions()
	o.TransientRetry.Attempts = 4
	o.NotYetAvailableRetry.Attempts = 3
	o.BusyRetry = recording.RetryPolicy{Attempts: 3, Base: time.Millisecond, Max: time.Millisecond}
	return o
}

func TestCopyRetriesUntilSuccess(t *testing.T) {
	api := func(op string, code int) error { return &yeastar.APIError{Op: op, Code: code, Message: "test"} }
	connReset := &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	http503 := &yeastar.HTTPError{Op: "recording/download", StatusCode: 503}
	tests := []struct {
		name        string
		setup       func(p *rangePBX, s *hashStore)
		wantOffsets []int64
		wantBusy    int // recording.Result.BusyWaits
	}{
		{
			name:        "-2 on the link",
			setup:       func(p *rangePBX, _ *hashStore) { p.linkErrs = twice(api("recording/download", yeastar.CodeInternal)) },
			wantOffsets: []int64{0},
		},
		{
			name:        "-2 on get_token",
			setup:       func(p *rangePBX, _ *hashStore) { p.linkErrs = twice(api("get_token", yeastar.CodeInternal)) },
			wantOffsets: []int64{0},
		},
		{
			name:        "HTTP 503 on the link",
			setup:       func(p *rangePBX, _ *hashStore) { p.linkErrs = twice(http503) },
			wantOffsets: []int64{0},
		},
		{
			name:        "connection reset on the link",
			setup:       func(p *rangePBX, _ *hashStore) { p.linkErrs = twice(connReset) },
			wantOffsets: []int64{0},
		},
		{
			name: "60001: not written yet",
			setup: func(p *rangePBX, _ *hashStore) {
				p.linkErrs = twice(api("recording/download", yeastar.CodeDataNotFound))
			},
			wantOffsets: []int64{0},
		},
		{
			name: "60001, then -2",
			setup: func(p *rangePBX, _ *hashStore) {
				p.linkErrs = []error{api("recording/download", yeastar.CodeDataNotFound), api("recording/download", yeastar.CodeInternal)}
			},
			wantOffsets: []int64{0},
		},
		{
			name: "70082 on download",
			setup: func(p *rangePBX, _ *hashStore) {
				p.steps = []step{{err: api("download", yeastar.CodeOverloadTask)}, {err: api("download", yeastar.CodeOverloadTask)}}
			},
			wantOffsets: []int64{0, 0, 0},
			wantBusy:    2,
		},
		{
			name:        "S3 head fails",
			setup:       func(_ *rangePBX, s *hashStore) { s.existsErrs = twice(connReset) },
			wantOffsets: []int64{0},
		},
		{
			name:        "S3 upload fails",
			setup:       func(_ *rangePBX, s *hashStore) { s.uploadErrs = twice(connReset) },
			wantOffsets: []int64{0, 0, 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, bubble(func(t *testing.T) {
			p, _, res, err := copyWith(t, tt.setup)
			if err != nil {
				t.Fatalf("Copy = %v, want success on the third attempt", err)
			}
			if p.links != 3 {
				t.Errorf("RecordingDownloadLink called %d times, want 3", p.links)
			}
			if !slices.Equal(p.offsets, tt.wantOffsets) {
				t.Errorf("Download offsets = %v, want %v", p.offsets, tt.wantOffsets)
			}
			if res.Bytes != int64(len(p.data)) {
				t.Errorf("recording.Result.Bytes = %d, want %d", res.Bytes, len(p.data))
			}
			if res.BusyWaits != tt.wantBusy || res.Resumes != 0 {
				t.Errorf("recording.Result.BusyWaits, Resumes = %d, %d; want %d, 0", res.BusyWaits, res.Resumes, tt.wantBusy)
			}
			p.checkClosed()
		}))
	}
}

func twice(err error) []error { return []error{err, err} }

func TestCopyGivesUp(t *testing.T) {
	api := func(op string, code int) error { return &yeastar.APIError{Op: op, Code: code, Message: "test"} }
	tests := []struct {
		name      string
		setup     func(p *rangePBX, s *hashStore)
		wantErr   class
		wantMsg   string
		wantLinks int
		wantDLs   int
		wantBusy  int // recording.Result.BusyWaits
	}{
		{
			name:      "40002 parameter error",
			setup:     func(p *rangePBX, _ *hashStore) { p.linkErr = api("recording/download", yeastar.CodeParameterError) },
			wantErr:   permanent,
			wantMsg:   "errcode 40002",
			wantLinks: 1,
		},
		{
			name:      "10005 access denied",
			setup:     func(p *rangePBX, _ *hashStore) { p.linkErr = api("recording/download", yeastar.CodeAccessDenied) },
			wantErr:   permanent,
			wantMsg:   "errcode 10005",
			wantLinks: 1,
		},
		{
			name:      "-1 on get_token: bad credentials",
			setup:     func(p *rangePBX, _ *hashStore) { p.linkErr = api("get_token", yeastar.CodeFailure) },
			wantErr:   permanent,
			wantMsg:   "errcode -1",
			wantLinks: 1,
		},
		{
			name: "70087 on download",
			setup: func(p *rangePBX, _ *hashStore) {
				p.steps = []step{{err: api("download", yeastar.CodeIPForbidden)}}
			},
			wantErr:   permanent,
			wantMsg:   "errcode 70087",
			wantLinks: 1,
			wantDLs:   1,
		},
		{
			name:      "PBX answers a bad file name",
			setup:     func(p *rangePBX, _ *hashStore) { p.file = "../x.wav" },
			wantErr:   permanent,
			wantMsg:   "bad file name",
			wantLinks: 1,
		},
		{
			// A configuration error: nothing is downloaded, nothing retried.
			name: "bucket does not exist",
			setup: func(_ *rangePBX, s *hashStore) {
				s.existsErrs = twice(fmt.Errorf("s3 head b/k: %w", s3store.ErrNoSuchBucket))
			},
			wantErr:   permanent,
			wantMsg:   "bucket does not exist",
			wantLinks: 1,
		},
		{
			name:      "60001 forever",
			setup:     func(p *rangePBX, _ *hashStore) { p.linkErr = api("recording/download", yeastar.CodeDataNotFound) },
			wantErr:   notYetAvailable,
			wantMsg:   "errcode 60001",
			wantLinks: quickRetries().NotYetAvailableRetry.Attempts,
		},
		{
			name:      "-2 forever",
			setup:     func(p *rangePBX, _ *hashStore) { p.linkErr = api("recording/download", yeastar.CodeInternal) },
			wantErr:   retryable,
			wantMsg:   "errcode -2",
			wantLinks: quickRetries().TransientRetry.Attempts,
		},
		{
			name: "70082 forever",
			setup: func(p *rangePBX, _ *hashStore) {
				busy := step{err: api("download", yeastar.CodeOverloadTask)}
				p.steps = []step{busy, busy, busy}
			},
			wantErr:   retryable,
			wantMsg:   "errcode 70082",
			wantLinks: quickRetries().BusyRetry.Attempts,
			wantDLs:   quickRetries().BusyRetry.Attempts,
			wantBusy:  quickRetries().BusyRetry.Attempts - 1, // the last attempt is not retried
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, bubble(func(t *testing.T) {
			p, s, res, err := copyWith(t, tt.setup)
			if res.BusyWaits != tt.wantBusy {
				t.Errorf("recording.Result.BusyWaits = %d, want %d", res.BusyWaits, tt.wantBusy)
			}
			if got := classOf(t, err); got != tt.wantErr {
				t.Errorf("Copy error = %v (%T), want a %s", err, err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Copy error = %q, want it to mention %q", err, tt.wantMsg)
			}
			if p.links != tt.wantLinks || len(p.offsets) != tt.wantDLs {
				t.Errorf("%d link and %d download calls, want %d and %d", p.links, len(p.offsets), tt.wantLinks, tt.wantDLs)
			}
			if len(s.uploads) != 0 {
				t.Errorf("%d uploads, want none", len(s.uploads))
			}
		}))
	}
}

// With backoffs too long for the time left, Copy stops retrying and
// answers before the deadline.
func TestCopyStopsRetryingBeforeDeadline(t *testing.T) {
	synctest.Test(t, testCopyStopsRetryingBeforeDeadline)
}

func testCopyStopsRetryingBeforeDeadline(t *testing.T) {
	opts := testOptions()
	opts.TransientRetry = recording.RetryPolicy{Attempts: 100, Base: time.Second, Max: 10 * time.Second}
	p, _, err := copyWithin(t, 3*time.Second, yeastar.CodeInternal, opts)
	if got := classOf(t, err); got != retryable {
		t.Errorf("Copy error = %v (%T), want a %s", err, err, retryable)
	}
	if p.links < 1 || p.links >= opts.TransientRetry.Attempts {
		t.Errorf("RecordingDownloadLink called %d times, want at least once and fewer than %d", p.links, opts.TransientRetry.Attempts)
	}
}

// copyWithin copies recording 1727, with opts, from a PBX that answers
// every link request with errcode, under a deadline d away, and fails t
// when Copy returns after it.
func copyWithin(t *testing.T, d time.Duration, errcode int, opts Options) (*rangePBX, recording.Result, error) {
	t.Helper()
	p := newRangePBX(t, 1000)
	p.linkErr = &yeastar.APIError{Op: "recording/download", Code: errcode}
	ctx, cancel := context.WithTimeout(t.Context(), d)
	defer cancel()
	res, err := newTestCopier(t, p, &hashStore{}, opts).Copy(ctx, recording.Ref{ID: 1727})
	if ctx.Err() != nil {
		t.Fatalf("Copy returned after the deadline: %v", err)
	}
	return p, res, err
}

// An upload still running near the deadline is stopped with time left to
// abort it: the reserve.
func TestCopyTimesOut(t *testing.T) { synctest.Test(t, testCopyTimesOut) }

func testCopyTimesOut(t *testing.T) {
	p := newRangePBX(t, 1000)
	s := &hashStore{block: true}
	ctx, cancel := context.WithTimeout(t.Context(), 2500*time.Millisecond)
	defer cancel()
	deadline, _ := ctx.Deadline()

	_, err := newTestCopier(t, p, s, testOptions()).Copy(ctx, recording.Ref{ID: 1727})
	left := time.Until(deadline)
	if ctx.Err() != nil {
		t.Fatalf("Copy returned after the deadline: %v", err)
	}
	// The reserve for 2.5s is 1s, to the nanosecond on the bubble's clock.
	if left != time.Second {
		t.Errorf("Copy returned %v before the deadline, want about 1s (the reserve)", left)
	}
	if got := classOf(t, err); got != timeout {
		t.Errorf("Copy error = %v (%T), want a %s", err, err, timeout)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Copy error = %v, want it to wrap %v", err, context.DeadlineExceeded)
	}
	if len(s.uploads) != 1 || p.links != 1 {
		t.Errorf("%d uploads after %d links, want one attempt: no retry once the time is up", len(s.uploads), p.links)
	}
	p.checkClosed()
}

// A caller that cancels is not a timeout: the copy stops at once.
func TestCopyCancelled(t *testing.T) { synctest.Test(t, testCopyCancelled) }

func testCopyCancelled(t *testing.T) {
	p := newRangePBX(t, 1000)
	p.linkErr = &yeastar.APIError{Op: "recording/download", Code: yeastar.CodeInternal}
	opts := testOptions()
	opts.TransientRetry = recording.RetryPolicy{Attempts: 100, Base: time.Hour, Max: time.Hour}
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(20*time.Millisecond, cancel)

	start := time.Now()
	_, err := newTestCopier(t, p, &hashStore{}, opts).Copy(ctx, recording.Ref{ID: 1727})
	if took := time.Since(start); took != 20*time.Millisecond {
		t.Errorf("Copy took %v, want to stop when its context was cancelled at 20ms", took)
	}
	if got := classOf(t, err); got != retryable {
		t.Errorf("Copy error = %v (%T), want a %s", err, err, retryable)
	}
	if p.links != 1 {
		t.Errorf("RecordingDownloadLink called %d times, want 1", p.links)
	}
}

// A busy PBX (70082) is waited out for as long as the copy's deadline
// allows, however many attempts that takes: the .mp3 download starts once
// the PBX is idle.
func TestCopyWaitsOutBusyPBX(t *testing.T) { synctest.Test(t, testCopyWaitsOutBusyPBX) }

func testCopyWaitsOutBusyPBX(t *testing.T) {
	const busyAnswers = 10
	p := newRangePBX(t, 1000)
	for range busyAnswers {
		p.linkErrs = append(p.linkErrs, &yeastar.APIError{Op: "recording/download", Code: yeastar.CodeOverloadTask})
	}
	opts := quickRetries()
	opts.BusyRetry = recording.RetryPolicy{Attempts: 3, Base: time.Second, Max: 2 * time.Second}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()

	res, err := newTestCopier(t, p, &hashStore{}, opts).Copy(ctx, recording.Ref{ID: 1727})
	if err != nil {
		t.Fatalf("Copy = %v, want success once the PBX is idle", err)
	}
	if p.links != busyAnswers+1 || res.BusyWaits != busyAnswers {
		t.Errorf("%d link calls, %d busy waits; want %d and %d: more than BusyRetry.Attempts (%d)",
			p.links, res.BusyWaits, busyAnswers+1, busyAnswers, opts.BusyRetry.Attempts)
	}
	if res.Bytes != int64(len(p.data)) {
		t.Errorf("recording.Result.Bytes = %d, want %d", res.Bytes, len(p.data))
	}
}

// A PBX busy past the deadline: the copy gives up with its reserve left,
// as a RetryableError naming the busy answer.
func TestCopyBusyUntilDeadline(t *testing.T) { synctest.Test(t, testCopyBusyUntilDeadline) }

func testCopyBusyUntilDeadline(t *testing.T) {
	opts := quickRetries()
	opts.BusyRetry = recording.RetryPolicy{Attempts: 3, Base: time.Second, Max: 2 * time.Second}
	p, res, err := copyWithin(t, 30*time.Second, yeastar.CodeOverloadTask, opts)
	if got := classOf(t, err); got != retryable || !strings.Contains(err.Error(), "errcode 70082") {
		t.Errorf("Copy error = %v (%T), want a %s naming errcode 70082", err, err, retryable)
	}
	// 27 s to spend (the reserve is 3 s), waits of 1-2 s: at least 13.
	if p.links < 14 || res.BusyWaits != p.links-1 {
		t.Errorf("%d link calls, %d busy waits; want at least 14, one wait between each", p.links, res.BusyWaits)
	}
}

// Each failure class spends its own retries: busy waits do not use up
// the transient ones.
func TestCopyCountsRetriesByClass(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		busy := &yeastar.APIError{Op: "recording/download", Code: yeastar.CodeOverloadTask}
		internal := &yeastar.APIError{Op: "recording/download", Code: yeastar.CodeInternal}
		opts := quickRetries() // 3 busy attempts, 4 transient ones
		p, _, res, err := copyWith(t, func(p *rangePBX, _ *hashStore) {
			p.linkErrs = []error{busy, busy, internal, internal, internal}
		})
		if err != nil {
			t.Fatalf("Copy = %v, want success: %d busy and %d transient attempts allowed", err, opts.BusyRetry.Attempts, opts.TransientRetry.Attempts)
		}
		if p.links != 6 || res.BusyWaits != 2 {
			t.Errorf("%d link calls, %d busy waits; want 6 and 2", p.links, res.BusyWaits)
		}
	})
}
