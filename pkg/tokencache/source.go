package tokencache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"github.com/recording-sync/recording-sync/internal/opt"
	"github.com/recording-sync/recording-sync/internal/wait"
	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

// Defaults for Options.
const (
	DefaultRefreshMargin = time.Minute
	DefaultLeaseDuration = 15 * time.Second
	DefaultPollInterval  = 200 * time.Millisecond
)

// API is the part of the PBX client a Source renews tokens with.
type API interface {
	GetToken(ctx context.Context) (yeastar.Token, error)
	RefreshToken(ctx context.Context, refresh string) (yeastar.Token, error)
	DeleteToken(ctx context.Context, access string) error
}

var (
	_ API                 = (*yeastar.Auth)(nil)
	_ yeastar.TokenSource = (*Source)(nil)
)

// Options hold the optional settings of a Source.
type Options struct {
	// RefreshMargin: a token is renewed this long before it expires, or a
	// quarter of its lifetime before, if shorter (yeastar.Token.RenewAt).
	// Default 60s.
	RefreshMargin time.Duration
	// LeaseDuration is how long one instance may hold the right to renew;
	// it also bounds the PBX calls of one renewal. Default 15s, at most 5
	// minutes (a longer lease would not be trusted when read back).
	LeaseDuration time.Duration
	// PollInterval is how often an instance re-reads the shared entry while
	// another one renews, with ±50% jitter. After 60002 MAX LIMITATION
	// EXCEEDED, get_token is retried every 5 poll intervals. Default 200ms,
	// at most 1 minute.
	PollInterval time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Sleep waits d, or until ctx ends (then it returns ctx.Err()); default
	// a timer. Tests give Now and Sleep a fake clock.
	Sleep func(ctx context.Context, d time.Duration) error
	// Secrets, when set, is told the access and refresh tokens of every
	// entry read from the store (a *redact.Redactor masks them wherever
	// they surface): this instance may use a token it never saw issued.
	Secrets Secrets
	// HolderID names this instance in leases; default random. It must be
	// unique among the instances sharing a Store.
	HolderID string
	// LoginBackoff, when set, stops renewals (a *BackoffError, at once)
	// while the PBX's last logins all failed; default none.
	LoginBackoff *LoginBackoff
}

// Secrets registers secret values; *redact.Redactor is one.
type Secrets interface {
	Add(secret string)
}

// Source is a yeastar.TokenSource that shares one token among instances
// through a Store. It is safe for concurrent use; concurrent callers of one
// Source share one renewal.
type Source struct {
	api    API
	store  Store
	opts   Options
	renewL yeastar.RenewLock // held by the one goroutine reading or renewing the shared entry

	mu      sync.Mutex
	token   yeastar.Token // the in-memory copy
	refused string        // an access token the PBX refused
	// loginErr is set when this instance's own get_token failed with bad
	// credentials: it never tries again. The failed-login lease in the
	// store does not hold across a client-secret rotation (neither secret
	// opens the other's object), so this memory is what bounds the failed
	// logins to one per environment.
	loginErr error
}

// New returns a Source renewing tokens with api and sharing them in store.
func New(api API, store Store, opts *Options) *Source {
	var o Options
	if opts != nil {
		o = *opts
	}
	o.RefreshMargin = opt.Positive(o.RefreshMargin, DefaultRefreshMargin)
	o.LeaseDuration = opt.Positive(o.LeaseDuration, DefaultLeaseDuration)
	o.PollInterval = opt.Positive(o.PollInterval, DefaultPollInterval)
	// Longer leases would not be trusted when read back (trust.go).
	o.LeaseDuration = min(o.LeaseDuration, failedLoginHold)
	o.PollInterval = min(o.PollInterval, failedLoginHold/slotRetryPolls)
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = wait.For
	}
	if o.Secrets == nil {
		o.Secrets = ignoreSecrets{}
	}
	if o.HolderID == "" {
		o.HolderID = randomID()
	}
	return &Source{api: api, store: store, opts: o, renewL: yeastar.NewRenewLock()}
}

// AccessToken returns the shared access token: from memory while it is not
// due for renewal, else from the store, else renewed by this instance or
// another one. It waits for a renewal in progress elsewhere, and for a free
// token slot after 60002, until ctx ends (then a *WaitError).
func (s *Source) AccessToken(ctx context.Context) (string, error) {
	if access, ok := s.cached(); ok {
		return access, nil
	}
	// Checked before waiting for the lock too: while a PBX is out, its
	// copies fail at once instead of queueing behind each other's logins.
	if err := s.opts.LoginBackoff.check(); err != nil {
		return "", err
	}
	if err := s.renewL.Lock(ctx); err != nil {
		return "", &WaitError{For: "this instance's token renewal", Err: err}
	}
	defer s.renewL.Unlock()
	// Another goroutine may have renewed while this one waited.
	if access, ok := s.cached(); ok {
		return access, nil
	}
	if err := s.loginError(); err != nil {
		return "", err
	}
	if err := s.opts.LoginBackoff.check(); err != nil {
		return "", err
	}
	t, err := s.shared(ctx)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.token = t
	s.mu.Unlock()
	return t.Access, nil
}

// InvalidateToken records that the PBX refused access. The next AccessToken
// re-reads the store: another instance may have renewed already (refreshing
// revokes the old token). Only if the shared token is still access does it
// renew.
func (s *Source) InvalidateToken(access string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refused = access
	if s.token.Access == access {
		s.token = yeastar.Token{}
	}
}

// cached returns the in-memory token if it is still usable.
func (s *Source) cached() (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.usableLocked(s.token, s.opts.Now()) {
		return s.token.Access, true
	}
	return "", false
}

// usable reports whether t may be handed out at now.
func (s *Source) usable(t yeastar.Token, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.usableLocked(t, now)
}

func (s *Source) usableLocked(t yeastar.Token, now time.Time) bool {
	return t.Access != "" && t.Access != s.refused && now.Before(t.RenewAt(s.opts.RefreshMargin))
}

func (s *Source) loginError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loginErr
}

type ignoreSecrets struct{}

func (ignoreSecrets) Add(string) {}

// randomID returns 16 random hex digits.
func randomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error
	return hex.EncodeToString(b[:])
}
