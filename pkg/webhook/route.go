package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/recording-sync/recording-sync/pkg/recording"
)

// PathPrefix is the start of the path a PBX other than the default posts
// to: <WebhookUrl>pbx/<id>.
const PathPrefix = "/pbx/"

// Keyrings gives the secrets of the PBX a request's path names.
type Keyrings interface {
	// Keyring returns PBX id's secrets, or false when no such PBX is
	// configured. It answers from what is already known: an unknown id
	// costs no read of any secret store.
	Keyring(ctx context.Context, id string) (Secrets, bool, error)
}

// pathPBX reads the PBX a Function URL path names: "" and "/" are the
// default PBX (the bare URL, as before there were many), PathPrefix+id
// names PBX id; anything else names none.
func pathPBX(path string) (string, bool) {
	if path == "" || path == "/" {
		return recording.DefaultPBX, true
	}
	id, ok := strings.CutPrefix(path, PathPrefix)
	if !ok || recording.ValidatePBX(id) != nil {
		return "", false
	}
	return id, true
}

// route finds the secrets of the PBX the request's path names, before
// the body is looked at: a path that names no configured PBX is 404.
func (h *Handler) route(ctx context.Context, path string) (string, Secrets, answer, bool) {
	id, ok := pathPBX(path)
	if !ok {
		return "", nil, answer{status: http.StatusNotFound,
			reason: "path " + strconv.QuoteToASCII(truncate(path, 48)) + " names no PBX: want / or " + PathPrefix + "<id>"}, false
	}
	if id == recording.DefaultPBX && h.secrets != nil {
		return id, h.secrets, answer{}, true
	}
	notFound := answer{status: http.StatusNotFound, reason: "no PBX " + id + " is configured", attrs: []any{slog.String("pbx", id)}}
	if h.pbxs == nil {
		return "", nil, notFound, false
	}
	secrets, ok, err := h.pbxs.Keyring(ctx, id)
	switch {
	case err != nil:
		return "", nil, answer{status: http.StatusServiceUnavailable, reason: "PBX " + id + ": " + err.Error(), err: err}, false
	case !ok:
		return "", nil, notFound, false
	}
	return id, secrets, answer{}, true
}

// LookupFunc finds PBX id's webhook secret in what is already known
// (pbxregistry.Registry.Lookup): ok is false when no such PBX is
// configured; an empty secret means none is stored yet.
type LookupFunc func(ctx context.Context, id string) (secret string, ok bool, err error)

// errPBXRemoved means a PBX went from the registry after its Keyring was made.
var errPBXRemoved = errors.New("webhook: the PBX is no longer configured")

// PBXKeyrings is Keyrings over a registry: one Keyring per PBX, made when
// the PBX first posts, with the rotation semantics of Keyring (the
// previous secret accepted for PreviousSecretGrace). It is safe for
// concurrent use.
type PBXKeyrings struct {
	lookup LookupFunc
	now    func() time.Time

	mu    sync.Mutex
	rings map[string]*Keyring
}

// NewPBXKeyrings returns PBXKeyrings finding secrets with lookup; now is
// the keyrings' clock (nil: time.Now).
func NewPBXKeyrings(lookup LookupFunc, now func() time.Time) *PBXKeyrings {
	return &PBXKeyrings{lookup: lookup, now: now, rings: map[string]*Keyring{}}
}

// Keyring returns PBX id's keyring, or false when lookup does not know id
// (a keyring held for it is dropped: a PBX removed and added again starts
// without the old secret).
func (p *PBXKeyrings) Keyring(ctx context.Context, id string) (Secrets, bool, error) {
	_, ok, err := p.lookup(ctx, id)
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case err != nil:
		return nil, false, err
	case !ok:
		delete(p.rings, id)
		return nil, false, nil
	}
	ring, ok := p.rings[id]
	if !ok {
		ring = NewKeyring(p.fetch(id), p.now)
		p.rings[id] = ring
	}
	return ring, true, nil
}

// fetch reads PBX id's secret for its Keyring.
func (p *PBXKeyrings) fetch(id string) FetchFunc {
	return func(ctx context.Context) (string, error) {
		secret, ok, err := p.lookup(ctx, id)
		switch {
		case err != nil:
			return "", err
		case !ok:
			return "", errPBXRemoved
		case secret == "":
			return "", fmt.Errorf("PBX %s: no webhook_secret stored yet (add the webhook in the PBX with its URL, then store the secret the PBX shows)", id)
		}
		return secret, nil
	}
}
