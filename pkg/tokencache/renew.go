package tokencache

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/recording-sync/recording-sync/pkg/yeastar"
)

const (
	// failedLoginHold is how long a failed login (errcode -1) stops every
	// instance from trying get_token: each failure counts towards the PBX
	// blocking the IP (70004), which only an administrator can lift.
	failedLoginHold = 5 * time.Minute
	// slotRetryPolls is how many poll intervals pass between get_token
	// attempts while the PBX answers 60002 MAX LIMITATION EXCEEDED.
	slotRetryPolls = 5
	// cleanupTimeout bounds the writes and revocations that must happen
	// even when the caller's ctx has ended.
	cleanupTimeout = 5 * time.Second
)

// What a waiting instance waits for, in WaitError.For.
const (
	awaitRenewal = "another instance's token renewal"
	awaitSlot    = "a free PBX token slot (60002 MAX LIMITATION EXCEEDED)"
)

// Errors of get_token that decide what happens next. Matching by Op keeps
// errcode -1 from other endpoints (transient there) out.
var (
	errBadLogin = &yeastar.APIError{Op: "get_token", Code: yeastar.CodeFailure}
	errNoSlot   = &yeastar.APIError{Op: "get_token", Code: yeastar.CodeMaxLimitation}
)

// shared returns a usable token from the store, renewing it under a lease
// when it is due, or waiting while another instance renews. The caller
// holds renewL.
func (s *Source) shared(ctx context.Context) (yeastar.Token, error) {
	var (
		waitingFor string // set once this call has waited
		cause      error  // the 60002 that made it wait
	)
	// failed reports err, as a WaitError when ctx ended during a wait.
	failed := func(err error) (yeastar.Token, error) {
		if waitingFor != "" && ctx.Err() != nil {
			err = &WaitError{For: waitingFor, Err: ctx.Err(), Cause: cause}
		}
		return yeastar.Token{}, err
	}
	for {
		e, version, err := s.store.Load(ctx)
		if err != nil {
			return failed(err)
		}
		now := s.opts.Now()
		e = trusted(e, now)
		s.register(e.Token)
		if s.usable(e.Token, now) {
			return e.Token, nil
		}
		if l := e.Lease; l.activeAt(now) && (l.Holder != s.opts.HolderID || l.Code != 0) {
			switch l.Code {
			case yeastar.CodeFailure:
				return yeastar.Token{}, &LoginBlockedError{Until: l.Until,
					Err: &yeastar.APIError{Op: "get_token", Code: l.Code, Message: "FAILURE"}}
			case yeastar.CodeMaxLimitation:
				waitingFor = awaitSlot
				if cause == nil {
					cause = &yeastar.APIError{Op: "get_token", Code: l.Code, Message: "MAX LIMITATION EXCEEDED"}
				}
			default:
				waitingFor = awaitRenewal
			}
			if err := s.wait(ctx, l.Until, waitingFor, cause); err != nil {
				return yeastar.Token{}, err
			}
			continue
		}
		// The lease is free, expired, or ours from a write whose answer was
		// lost: take it.
		until := now.Add(s.opts.LeaseDuration)
		leased, err := s.store.Save(ctx, Entry{Token: e.Token, Lease: Lease{Holder: s.opts.HolderID, Until: until}}, version)
		if errors.Is(err, ErrConflict) {
			continue // another instance was faster: read what it wrote
		}
		if err != nil {
			return failed(err)
		}
		t, err := s.renew(ctx, e.Token, leased, until)
		switch {
		case err == nil:
			return t, nil
		case errors.Is(err, ErrConflict):
			continue // our lease expired and another instance took over
		case errors.Is(err, errBadLogin):
			s.mu.Lock()
			s.loginErr = err
			s.mu.Unlock()
			s.setLease(ctx, e.Token, leased, Lease{Holder: s.opts.HolderID, Until: s.opts.Now().Add(failedLoginHold), Code: yeastar.CodeFailure})
			return yeastar.Token{}, err
		case errors.Is(err, errNoSlot) && ctx.Err() == nil:
			// Tokens issued outside this cache fill the PBX. Tell the other
			// instances when to try again, and watch for a shared token.
			waitingFor, cause = awaitSlot, err
			retry := s.opts.Now().Add(slotRetryPolls * s.opts.PollInterval)
			s.setLease(ctx, e.Token, leased, Lease{Holder: s.opts.HolderID, Until: retry, Code: yeastar.CodeMaxLimitation})
			if err := s.wait(ctx, retry, waitingFor, cause); err != nil {
				return yeastar.Token{}, err
			}
		default:
			s.setLease(ctx, e.Token, leased, Lease{}) // let another instance try now
			return failed(err)
		}
	}
}

// register reports the tokens of t, read from the store, to Options.Secrets.
func (s *Source) register(t yeastar.Token) {
	for _, secret := range []string{t.Access, t.Refresh} {
		if secret != "" {
			s.opts.Secrets.Add(secret)
		}
	}
}

// renew gets a new token while this instance holds the lease until until,
// publishes it, and revokes the token it supersedes. It returns an error
// matching ErrConflict if the lease was lost before publishing.
func (s *Source) renew(ctx context.Context, old yeastar.Token, leased string, until time.Time) (yeastar.Token, error) {
	// Call the PBX only while the lease lasts: after it, another instance may
	// renew too.
	pctx, cancel := context.WithTimeout(ctx, until.Sub(s.opts.Now()))
	defer cancel()
	t, loggedIn, err := s.fetch(pctx, old)
	// A login the caller gave up on, or one the PBX answered with 60002
	// (no free token slot, its own wait), says nothing about the PBX's
	// health.
	if loggedIn && ctx.Err() == nil && !errors.Is(err, errNoSlot) {
		s.opts.LoginBackoff.record(err)
	}
	if err != nil {
		return yeastar.Token{}, err
	}
	if err := s.publish(ctx, t, leased); err != nil {
		// Unpublished, the new token would only count against the limit.
		s.revoke(ctx, t.Access)
		return yeastar.Token{}, err
	}
	// refresh_token revokes the old pair; after get_token it is still valid.
	if loggedIn && s.stillValid(old) {
		s.revoke(ctx, old.Access)
	}
	return t, nil
}

// fetch renews with old's refresh token if it may still work, else with
// get_token; loggedIn tells which gave the token.
func (s *Source) fetch(ctx context.Context, old yeastar.Token) (t yeastar.Token, loggedIn bool, err error) {
	if old.Refresh != "" && s.opts.Now().Before(old.RefreshExpires) {
		t, err := s.api.RefreshToken(ctx, old.Refresh)
		if err == nil || ctx.Err() != nil {
			return t, false, err
		}
		// Refused: revoked, or used by a holder that crashed before
		// publishing what it got. Log in instead.
	}
	t, err = s.api.GetToken(ctx)
	return t, true, err
}

// publish saves t with the lease cleared, if the entry is still the version
// leased. The write goes on when the caller's ctx has ended: other instances
// need the token.
func (s *Source) publish(ctx context.Context, t yeastar.Token, leased string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	_, err := s.store.Save(ctx, Entry{Token: t}, leased)
	if errors.Is(err, ErrConflict) {
		// A retried write whose first attempt landed also ends here.
		if e, _, lerr := s.store.Load(ctx); lerr == nil && e.Token.Access == t.Access {
			return nil
		}
	}
	return err
}

// setLease replaces the lease of the entry holding token, version leased,
// as well as it can: if it fails, the lease expires on its own.
func (s *Source) setLease(ctx context.Context, token yeastar.Token, leased string, l Lease) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	_, _ = s.store.Save(ctx, Entry{Token: token, Lease: l}, leased)
}

// revoke deletes access on the PBX, as well as it can: an unrevoked token
// expires on its own.
func (s *Source) revoke(ctx context.Context, access string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	_ = s.api.DeleteToken(ctx, access)
}

// stillValid reports whether the PBX should still accept old.
func (s *Source) stillValid(old yeastar.Token) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return old.Access != "" && old.Access != s.refused && s.opts.Now().Before(old.AccessExpires)
}

// wait sleeps one poll interval with jitter, or until until if that comes
// first, or until ctx ends (then a *WaitError).
func (s *Source) wait(ctx context.Context, until time.Time, what string, cause error) error {
	d := s.opts.PollInterval/2 + rand.N(s.opts.PollInterval)
	if left := until.Sub(s.opts.Now()); left >= 0 && left < d {
		d = left + time.Millisecond
	}
	if err := s.opts.Sleep(ctx, d); err != nil {
		return &WaitError{For: what, Err: err, Cause: cause}
	}
	return nil
}
