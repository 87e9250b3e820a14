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
// RereadInterval, while none is usable or when asked after a signature
// failure. It is safe for concurrent use.
type Keyring struct {
	fetch FetchFunc
	now   func() time.Time

	mu            sync.Mutex
	current       string
	previous      string
	previousUntil time.Time
	lastRead      time.Time
	read          bool  // fetch was called at least once
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
// one first. With none usable it reads the secret again when
// RereadInterval has passed since the last read, and returns why there is
// none.
func (k *Keyring) Secrets(ctx context.Context) ([]string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	now := k.now()
	if k.current == "" && k.due(now) {
		k.reread(ctx, now)
	}
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
	k.mu.Lock()
	defer k.mu.Unlock()
	now := k.now()
	if !k.due(now) {
		return false
	}
	before := k.current
	k.reread(ctx, now)
	return k.current != before
}

// due reports whether a read is allowed at now.
func (k *Keyring) due(now time.Time) bool {
	return !k.read || !now.Before(k.lastRead.Add(RereadInterval))
}

// reread fetches the secret. A failed or refused read keeps the secret
// held: a store briefly unreachable does not stop the webhook.
func (k *Keyring) reread(ctx context.Context, now time.Time) {
	k.read, k.lastRead = true, now
	v, err := k.fetch(ctx)
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
	}
}
