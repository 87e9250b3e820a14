// Package redact is the one mechanism that keeps secrets (PBX access and
// refresh tokens, the client secret) out of everything the function
// writes: log lines, error messages, invocation results. Every output path
// goes through a Redactor.
//
// It removes two things: every secret value registered with Add, wherever
// it appears; and, as a backstop for values it was never told about, the
// value of any access_token, refresh_token, password or client_secret
// parameter in URL-query or JSON form (Params), also when the name, the
// '=' or the value is percent-encoded, once or more (access%5Ftoken=...,
// or a token nested in a redirect's query: next=%2Fx%3Faccess_token%3D...).
//
// The parts of the function that meet secrets only report them: the PBX
// client and the token cache are given the Redactor as a registry (its Add
// method), and the PBX client masks the URLs in its own errors with URL and
// Error, the same patterns without a registry, so that its errors are clean
// even before they reach a Redactor. All masking is done here.
package redact

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// Mask replaces every redacted value.
const Mask = "REDACTED"

// minSecretLen is the shortest value Add accepts: shorter ones would mask
// ordinary words.
const minSecretLen = 8

// secretParams are the parameters whose values are always masked.
var secretParams = []string{"access_token", "refresh_token", "password", "client_secret"}

// patterns match secret parameters in query strings and JSON documents.
var patterns = []*regexp.Regexp{
	regexp.MustCompile(queryPattern()),
	regexp.MustCompile(`((?i:"(?:access_token|refresh_token|password|client_secret)")\s*:\s*")(?:[^"\\]|\\.)*`),
}

// queryPattern matches name=value for every secret parameter, where any
// character of the name and the '=' may be percent-encoded any number of
// times (%5F, %255F, ...), and the value runs until '&' (or an encoded
// '&': %26, %2526, ...), white space, a quote or an angle bracket. Group 1
// is the name and the '='.
func queryPattern() string {
	// esc matches one percent-encoded byte with hex code one of codes,
	// encoded once or more.
	esc := func(codes ...string) string { return `%(?:25)*(?:` + strings.Join(codes, "|") + `)` }
	var names []string
	for _, name := range secretParams {
		var b strings.Builder
		for _, c := range name {
			codes := []string{fmt.Sprintf("%02X", c)}
			if up := strings.ToUpper(string(c)); up != string(c) {
				codes = append(codes, fmt.Sprintf("%02X", up[0]))
			}
			b.WriteString(`(?:` + regexp.QuoteMeta(string(c)) + `|` + esc(codes...) + `)`)
		}
		names = append(names, b.String())
	}
	// A value byte: anything but the terminators and '%', or an encoded
	// byte other than '&' (26) and a lone further level of encoding (25).
	valueByte := `(?:[^&\s"'<>%]|` + esc(`[013-9A-F][0-9A-F]`, `2[0-47-9A-F]`) + `)`
	return `(?i)((?:` + strings.Join(names, "|") + `)(?:=|` + esc("3D") + `))` + valueByte + `+`
}

// Params returns s with the value of every secret parameter masked, in
// query or JSON form, percent-encoded or not. It needs no registry: it is
// the backstop for secrets nobody registered.
func Params(s string) string {
	for _, p := range patterns {
		s = p.ReplaceAllString(s, "${1}"+Mask)
	}
	return s
}

// URL returns raw with the values of secret query parameters masked, as
// Go parses the query (percent-encoded names included; a query it cannot
// parse is masked whole), the password of its userinfo masked, and then
// every secret parameter left elsewhere masked by Params: in the fragment,
// the user name, nested in another value, in another case.
func URL(raw string) string {
	return Params(maskQuery(raw))
}

// maskQuery masks the secret parameters of the query as Go parses it.
func maskQuery(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.IndexByte(raw, '?'); i >= 0 {
			return raw[:i] + "?" + Mask
		}
		return raw
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		// u.Query() would silently skip the pairs it cannot parse (e.g.
		// "a=1;access_token=..."), leaving their secrets in place.
		u.RawQuery = Mask
		return u.Redacted()
	}
	changed := false
	for _, p := range secretParams {
		if q.Has(p) {
			q.Set(p, Mask)
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// Error rewrites the URL inside a *url.Error (Go's HTTP client prints the
// whole request URL, query included) with URL, and keeps everything else,
// so that errors.Is still finds context.DeadlineExceeded and friends.
func Error(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return &url.Error{Op: uerr.Op, URL: URL(uerr.URL), Err: uerr.Err}
	}
	return err
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
	return Params(s)
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
		// A JSON document (an EMF metrics directive) stays JSON, its text
		// redacted like any other.
		if raw, ok := v.Any().(json.RawMessage); ok {
			return slog.Any(a.Key, json.RawMessage(h.r.String(string(raw))))
		}
		// Errors, stringers and structs are rendered to text first, so
		// that nothing reaches the output unredacted.
		return slog.String(a.Key, h.r.String(v.String()))
	default:
		return slog.Attr{Key: a.Key, Value: v}
	}
}
