package yeastar

import (
	"net/url"
	"path"
	"strings"
	"testing"
)

// fuzzBases are PBX base URLs as operators configure them: bare, with a
// reverse proxy's path prefix, plain HTTP on an IP, an escaped prefix.
var fuzzBases = []string{
	"https://pbx.example.com:8088",
	"https://gw.example.com/pbx/",
	"http://192.0.2.10",
	"https://gw.example.com/tenant%20a/pbx",
}

// FuzzResolveDownloadURL checks that whatever download_resource_url the
// PBX answers, an accepted URL, once serialized and parsed again as the
// request will be, with the access token added as download adds it, is on
// the base's origin, without userinfo or fragment, under the base path
// (also once "." and ".." segments are resolved, as servers and proxies
// do), and carries exactly one access_token, ours.
func FuzzResolveDownloadURL(f *testing.F) {
	for _, s := range []string{
		"/api/download/Recording-X.7.0.6-1-download-20220412175901-M8zB66xYUNTNMr2D.wav",
		"/api/download/a%20b+c%2Bd.wav", "/api/download/x.wav?type=1", "/x?access_token=evil&access_token=2",
		"/@evil.example/x", "/%2F%2Fevil.example/x", "/%2e%2e/%2e%2e/x", "/../x", "/./x", "/x/..", "/x;/../y",
		"https://evil.example/x", "//evil.example/x", "///evil.example/x", "/\\evil.example/x", "http:x",
		"/x#frag", "/x?#", "/%zz", "/x\x00", "/x\ty", "/ x", "/x?a=1;access_token=2", "/:8080/x", "/?", "/",
	} {
		f.Add(s)
	}
	clients := make([]*Client, len(fuzzBases))
	for i, b := range fuzzBases {
		c, err := New(b, Credentials{ClientID: "id", ClientSecret: "secret"}, nil)
		if err != nil {
			f.Fatalf("New(%q): %v", b, err)
		}
		clients[i] = c
	}
	f.Fuzz(func(t *testing.T, resource string) {
		for _, c := range clients {
			u, err := c.resolveDownloadURL(resource)
			if err != nil {
				continue
			}
			// What download does next: add the token, serialize, and
			// have http.NewRequest parse it again.
			q := u.Query()
			q.Set("access_token", "OURTOKEN")
			u.RawQuery = q.Encode()
			sent := u.String()
			got, err := url.Parse(sent)
			if err != nil {
				t.Fatalf("base %s, resource %q: %q does not parse: %v", c.base, resource, sent, err)
			}
			checkUnderBase(t, c.base, resource, got)
			if tok := got.Query()["access_token"]; len(tok) != 1 || tok[0] != "OURTOKEN" {
				t.Fatalf("base %s, resource %q: %q carries access_token %q", c.base, resource, sent, tok)
			}
		}
	})
}

// checkUnderBase fails unless u is on base's origin, under base's path.
func checkUnderBase(t *testing.T, base *url.URL, resource string, u *url.URL) {
	t.Helper()
	prefix := base.Path + "/"
	switch {
	case u.Scheme != base.Scheme || u.Host != base.Host || !sameOrigin(u, base):
		t.Fatalf("base %s, resource %q: left the PBX for %s", base, resource, u)
	case u.User != nil || u.Fragment != "" || u.Opaque != "":
		t.Fatalf("base %s, resource %q: %s has userinfo, a fragment or an opaque part", base, resource, u)
	case !strings.HasPrefix(u.Path, prefix):
		t.Fatalf("base %s, resource %q: path %q is not under %q", base, resource, u.Path, prefix)
	case !strings.HasPrefix(path.Clean(u.Path)+"/", prefix):
		t.Fatalf("base %s, resource %q: path %q resolves to %q, outside %q", base, resource, u.Path, path.Clean(u.Path), prefix)
	}
}

// secretMarker is the secret value FuzzSanitizeURL plants; the fuzzed parts
// around it are kept free of it, so any trace in the output is a leak.
const secretMarker = "SECRETVALUE"

// FuzzSanitizeURL plants access_token=SECRETVALUE or refresh_token (or
// password), key and value in any percent-encoding, between a fuzzed
// prefix and suffix. Whenever the URL's query, as Go's parser splits it,
// holds that pair as a secret parameter, or the URL does not parse and the
// pair follows a '?', the output must not hold SECRETVALUE in any decoding.
func FuzzSanitizeURL(f *testing.F) {
	for _, s := range []struct{ prefix, suffix string }{
		{"https://pbx.example.com:8088/api/download/x.wav?", ""},
		{"https://pbx/openapi/v1.0/recording/download?file=a+b.wav&", "&id=1"},
		{"https://pbx/x?", "&access_token=2"},
		{"https://pbx/x?a=1;", ""},
		{"https://pbx/x?a=%zz&", ""},
		{"http://[::1/x?", ""},
		{"http://pbx/%zz?", ""},
		{"https://admin:pw@pbx/x?", "#frag"},
		{"http:opaque?", ""},
		{"/relative?", "%"},
		{"?", ""},
		{"https://pbx/x?&&", "&&"},
		{"https://pbx/x?a=b?", ""},
		{"https://pbx/x#", ""},
		{"https://pbx/x?a#", ""},
	} {
		for k := range 3 {
			f.Add(s.prefix, s.suffix, uint8(k), uint8(k))
		}
	}
	keys := []string{
		"access_token", "refresh_token", "password", "access%5Ftoken", "%61ccess_token", "refresh%5ftoken",
		"%61%63%63%65%73%73%5f%74%6f%6b%65%6e", "access_token%00",
	}
	values := []string{secretMarker, "SECRET%56ALUE", "%53%45%43%52%45%54%56%41%4C%55%45", secretMarker + "+x", "x" + secretMarker}
	f.Fuzz(func(t *testing.T, prefix, suffix string, k, v uint8) {
		if holdsMarker(prefix) || holdsMarker(suffix) {
			return
		}
		raw := prefix + keys[int(k)%len(keys)] + "=" + values[int(v)%len(values)] + suffix
		if !secretPosition(raw) {
			return
		}
		if out := sanitizeURL(raw); holdsMarker(out) {
			t.Fatalf("sanitizeURL(%q) = %q, keeps the secret", raw, out)
		}
	})
}

// secretPosition reports whether the planted pair is a secret query
// parameter of raw, as url.Parse splits raw; or, when raw does not parse,
// whether the marker follows a '?'.
func secretPosition(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		i := strings.IndexByte(raw, '?')
		return i >= 0 && holdsMarker(raw[i:])
	}
	for _, pair := range strings.Split(u.RawQuery, "&") {
		key, value, _ := strings.Cut(pair, "=")
		if k, err := url.QueryUnescape(key); err == nil {
			key = k
		}
		for _, p := range secretParams {
			if key == p && holdsMarker(value) {
				return true
			}
		}
	}
	return false
}

// holdsMarker reports whether s, or any decoding of its valid %XX
// escapes and '+', contains the marker, in any case.
func holdsMarker(s string) bool {
	for range 4 {
		if strings.Contains(strings.ToUpper(s), secretMarker) {
			return true
		}
		d := unescapeValid(s)
		if d == s {
			return false
		}
		s = d
	}
	return strings.Contains(strings.ToUpper(s), secretMarker)
}

// unescapeValid decodes '+' and the valid %XX escapes of s, keeping the
// invalid ones, where url.QueryUnescape would give up on the whole string.
func unescapeValid(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '+':
			b.WriteByte(' ')
		case s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func isHex(c byte) bool { return strings.IndexByte("0123456789abcdefABCDEF", c) >= 0 }

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	default:
		return c - '0'
	}
}
