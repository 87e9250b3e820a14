package webhook

import (
	"context"
	"errors"
	"sync"
	"time"
)

// MinSecretLen is the shortest webhook secret accepted: the PBX generates
// 32 characters, and a short one would make signatures guessable.
const MinSecretLen = 16

// RereadInterval is the least time between two reads of the secret: while
// none is stored (the PBX makes the secret only once the stack's URL is
// pasted in), and after a signature that does not match (the secret may
// have been rotated). A flood of badly signed requests costs at most one
// read a minute per execution environment.
const RereadInterval = time.Minute

// MaxSecretAge is how long a secret held is used without reading the
// store again: a rotation reaches every warm execution environment within
// it, even one that only ever sees requests signed with the old secret, so
// the old secret is accepted at most MaxSecretAge + PreviousSecretGrace
// after the store changed.
const MaxSecretAge = 5 * time.Minute

// PreviousSecretGrace is how long the secret a re-read replaced is still
// accepted: the PBX may retry requests it signed before the rotation, and
// the secret store and the PBX are not changed at the same instant.
const PreviousSecretGrace = time.Hour

// ErrSecretTooShort means the stored secret is shorter than MinSecretLen.
var ErrSecretTooShort = errors.New("webhook: secret shorter than 16 bytes refused (the PBX generates 32 characters)")

// FetchFunc reads the webhook secret's current value, or returns why
// there is none (yet); its errors never hold the secret.
type FetchFunc func(ctx context.Context) (string, error)

// Keyring holds the secrets a request may be signed with: the current one
// and, for PreviousSecretGrace after a rotation, the one before. It reads
// the secret when first asked and re-reads it at most once per
// RereadInterval: while none is usable, when asked after a signature
// failure, and when the one held is older than MaxSecretAge. It is safe for
// concurrent use; no lock is held while the store is read.
type Keyring struct {
	fetch FetchFunc
	now   func() time.Time

	mu            sync.Mutex
	current       string
	previous      string
	previousUntil time.Time
	lastRead      time.Time
	read          bool  // a read was claimed at least once
	err           error // why there is no current secret
}

// NewKeyring returns a Keyring reading its secret with fetch; now is its
// clock (nil: time.Now).
func NewKeyring(fetch FetchFunc, now func() time.Time) *Keyring {
	if now == nil {
		now = time.Now
	}
	return &Keyring{fetch: fetch, now: now}
}

// StaticKeyring returns a Keyring whose secret is always secret (a local
// run's PBX_WEBHOOK_SECRET): a too short one is refused on every request.
func StaticKeyring(secret string) *Keyring {
	return NewKeyring(func(context.Context) (string, error) { return secret, nil }, nil)
}

// Secrets returns the secrets a signature may be made with, the current
// one first. With none usable, or one older than MaxSecretAge, it reads
// the secret again when RereadInterval has passed since the last read; with
// none usable it returns why.
func (k *Keyring) Secrets(ctx context.Context) ([]string, error) {
	now := k.now()
	if k.claim(now, false) {
		k.reread(ctx, now)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.current == "" {
		return nil, k.err
	}
	secrets := []string{k.current}
	if k.previous != "" && now.Before(k.previousUntil) {
		secrets = append(secrets, k.previous)
	}
	return secrets, nil
}

// Refresh re-reads the secret after a signature did not match, unless it
// was read less than RereadInterval ago. It reports whether the current
// secret changed, so that the signature is worth checking again.
func (k *Keyring) Refresh(ctx context.Context) bool {
	now := k.now()
	if !k.claim(now, true) {
		return false
	}
	return k.reread(ctx, now)
}

// claim reports whether a read is due at now, and if so marks it done, so
// that concurrent callers do not read too: a read is due at most once per
// RereadInterval, and then when asked (after a signature failure), with no
// secret held, or with one older than MaxSecretAge.
func (k *Keyring) claim(now time.Time, asked bool) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.read && now.Before(k.lastRead.Add(RereadInterval)) {
		return false
	}
	if k.read && !asked && k.current != "" && now.Before(k.lastRead.Add(MaxSecretAge)) {
		return false
	}
	k.read, k.lastRead = true, now
	return true
}

// reread fetches the secret, without the lock, and reports whether the
// current secret changed. A failed or refused read keeps the secret held:
// a store briefly unreachable does not stop the webhook.
func (k *Keyring) reread(ctx context.Context, now time.Time) bool {
	v, err := k.fetch(ctx)
	k.mu.Lock()
	defer k.mu.Unlock()
	switch {
	case err != nil:
		k.err = err
	case len(v) < MinSecretLen:
		k.err = ErrSecretTooShort
	case v != k.current:
		if k.current != "" {
			k.previous, k.previousUntil = k.current, now.Add(PreviousSecretGrace)
		}
		k.current, k.err = v, nil
		return true
	}
	return false
}
