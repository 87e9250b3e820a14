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
		c, err := New(b, NewMemoryTokens(&Auth{}), nil)
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
