package redact

import (
	"net/url"
	"strings"
	"testing"
)

// secretMarker is the secret value FuzzURL plants; the fuzzed parts
// around it are kept free of it, so any trace in the output is a leak.
const secretMarker = "SECRETVALUE"

// FuzzURL plants access_token=SECRETVALUE or refresh_token (or
// password), key and value in any percent-encoding, between a fuzzed
// prefix and suffix. Whenever the URL's query, as Go's parser splits it,
// holds that pair as a secret parameter, or the URL does not parse and the
// pair follows a '?', the output must not hold SECRETVALUE in any decoding.
func FuzzURL(f *testing.F) {
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
		if out := URL(raw); holdsMarker(out) {
			t.Fatalf("URL(%q) = %q, keeps the secret", raw, out)
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
