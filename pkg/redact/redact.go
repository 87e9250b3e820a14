// Package redact is the one mechanism that keeps secrets (PBX access and
// refresh tokens, the client secret) out of everything the function
// writes: log lines, error messages, invocation results. Every output path
// goes through a Redactor.
//
// It removes two things: every secret value registered with Add, wherever
// it appears; and, as a backstop for values it was never told about, the
// value of any access_token, refresh_token, password or client_secret
// parameter in URL-query or JSON form.
package redact

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
	"sync"
)

// Mask replaces every redacted value.
const Mask = "REDACTED"

// minSecretLen is the shortest value Add accepts: shorter ones would mask
// ordinary words.
const minSecretLen = 8

// patterns match secret parameters in query strings and JSON documents.
var patterns = []*regexp.Regexp{
	regexp.MustCompile(`((?i:access_token|refresh_token|password|client_secret)=)[^&\s"'<>]+`),
	regexp.MustCompile(`((?i:"(?:access_token|refresh_token|password|client_secret)")\s*:\s*")(?:[^"\\]|\\.)*`),
}

// Redactor scrubs secrets from text. It is safe for concurrent use; the
// zero value is not usable, call New.
type Redactor struct {
	mu       sync.RWMutex
	secrets  map[string]struct{}
	replacer *strings.Replacer
}

// New returns a Redactor knowing the given secrets.
func New(secrets ...string) *Redactor {
	r := &Redactor{secrets: map[string]struct{}{}}
	for _, s := range secrets {
		r.Add(s)
	}
	return r
}

// Add registers a secret value. Values shorter than 8 bytes are ignored.
func (r *Redactor) Add(secret string) {
	if len(secret) < minSecretLen {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.secrets[secret]; ok {
		return
	}
	r.secrets[secret] = struct{}{}
	pairs := make([]string, 0, 2*len(r.secrets))
	for s := range r.secrets {
		pairs = append(pairs, s, Mask)
	}
	r.replacer = strings.NewReplacer(pairs...)
}

// String returns s with every secret masked.
func (r *Redactor) String(s string) string {
	r.mu.RLock()
	rep := r.replacer
	r.mu.RUnlock()
	if rep != nil {
		s = rep.Replace(s)
	}
	for _, p := range patterns {
		s = p.ReplaceAllString(s, "${1}"+Mask)
	}
	return s
}

// Handler wraps h so that every log record's message and string
// attributes (nested groups and error values included) are redacted.
func (r *Redactor) Handler(h slog.Handler) slog.Handler { return &handler{next: h, r: r} }

type handler struct {
	next slog.Handler
	r    *Redactor
}

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *handler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.String(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = h.attr(a)
	}
	return &handler{next: h.next.WithAttrs(clean), r: h.r}
}

func (h *handler) WithGroup(name string) slog.Handler {
	return &handler{next: h.next.WithGroup(name), r: h.r}
}

// attr redacts one attribute: strings, errors, stringers, and groups.
func (h *handler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.r.String(v.String()))
	case slog.KindGroup:
		attrs := v.Group()
		clean := make([]any, len(attrs))
		for i, g := range attrs {
			clean[i] = h.attr(g)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		// Errors, stringers and structs are rendered to text first, so
		// that nothing reaches the output unredacted.
		return slog.String(a.Key, h.r.String(v.String()))
	default:
		return slog.Attr{Key: a.Key, Value: v}
	}
}
