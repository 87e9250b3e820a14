package yeastar

import (
	"strings"
	"testing"
	"time"
)

func TestResolveDownloadURL(t *testing.T) {
	bases := []struct {
		name, base string
	}{
		{"plain base", "https://pbx.example.com:8088"},
		{"base with a path prefix", "https://pbx.example.com:8088/pbx/"},
	}
	accepted := []struct {
		in, wantPathAndQuery string
	}{
		{"/api/download/x.wav", "/api/download/x.wav"},
		{"/api/download/Recording-X.7.0.6-1-download-20220412175901-M8zB66xYUNTNMr2D.wav", "/api/download/Recording-X.7.0.6-1-download-20220412175901-M8zB66xYUNTNMr2D.wav"},
		{"/api/download/a%20b+c%2Bd.wav", "/api/download/a%20b+c%2Bd.wav"},
		{"/api/download/x.wav?type=1", "/api/download/x.wav?type=1"},
		{"/@evil.example/x", "/@evil.example/x"},
		{"/%2F%2Fevil.example/x", "/%2F%2Fevil.example/x"},
	}
	refused := []string{
		"",
		"https://evil.example/x",
		"http://pbx.example.com:8088/api/download/x.wav", // absolute, even to the PBX
		"//evil.example/x",
		"///evil.example/x",
		"http:/x",
		"http:x",
		`\\evil.example\x`,
		`/\evil.example/x`,
		"api/x",
		" /api/x",
		"/x#frag",
		"//user@evil.example/x",
		"//user:pw@evil.example/x",
		"https://user:pw@evil.example/x",
		"/x\x00",
		"/%zz",
	}
	for _, b := range bases {
		c, err := New(b.base, NewMemoryTokens(&Auth{}), nil)
		if err != nil {
			t.Fatal(err)
		}
		prefix := strings.TrimSuffix(strings.TrimPrefix(b.base, "https://pbx.example.com:8088"), "/")
		t.Run(b.name, func(t *testing.T) {
			for _, tt := range accepted {
				t.Run("accept "+tt.in, func(t *testing.T) {
					u, err := c.resolveDownloadURL(tt.in)
					if err != nil {
						t.Fatalf("resolveDownloadURL(%q): %v", tt.in, err)
					}
					want := "https://pbx.example.com:8088" + prefix + tt.wantPathAndQuery
					if got := u.String(); got != want {
						t.Errorf("resolveDownloadURL(%q) = %q, want %q", tt.in, got, want)
					}
					if !sameOrigin(u, c.base) {
						t.Errorf("resolveDownloadURL(%q) left the PBX: %s", tt.in, u)
					}
				})
			}
			for _, in := range refused {
				t.Run("refuse "+in, func(t *testing.T) {
					if u, err := c.resolveDownloadURL(in); err == nil {
						t.Errorf("resolveDownloadURL(%q) = %s, want an error", in, u)
					}
				})
			}
		})
	}
}

func TestParseContentRange(t *testing.T) {
	tests := []struct {
		in          string
		start, size int64
		ok          bool
	}{
		{"bytes 0-99/100", 0, 100, true},
		{"bytes 1048583-3158016/3158017", 1048583, 3158017, true},
		{"bytes 9999-9999/10000", 9999, 10000, true},
		{"", 0, 0, false},
		{"bytes */100", 0, 0, false},
		{"bytes 0-99/*", 0, -1, true}, // size unknown, as a chunked download may answer
		{"bytes 0-99", 0, 0, false},
		{"items 0-99/100", 0, 0, false},
		{"bytes x-99/100", 0, 0, false},
		{"bytes 0-99/1e3", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			start, size, err := parseContentRange(tt.in)
			if (err == nil) != tt.ok || start != tt.start || size != tt.size {
				t.Errorf("parseContentRange(%q) = %d, %d, %v; want %d, %d, ok %v", tt.in, start, size, err, tt.start, tt.size, tt.ok)
			}
		})
	}
}

func TestRenewAt(t *testing.T) {
	issued := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		margin   time.Duration
		lifetime time.Duration
		now      time.Duration // after issue
		want     time.Duration // renewAt, after issue
	}{
		{"long token at issue", time.Minute, 30 * time.Minute, 0, 29 * time.Minute},
		{"long token just outside the margin", time.Minute, 30 * time.Minute, 28*time.Minute + 59*time.Second, 29 * time.Minute},
		{"long token inside the margin", time.Minute, 30 * time.Minute, 29*time.Minute + 30*time.Second, 29 * time.Minute},
		{"long token expired", time.Minute, 30 * time.Minute, time.Hour, 29 * time.Minute},
		{"lifetime exactly four margins", time.Second, 4 * time.Second, 3500 * time.Millisecond, 3 * time.Second},
		{"short token: a quarter of its life", time.Minute, 2 * time.Minute, 0, 90 * time.Second},
		{"short token near expiry", time.Minute, 2 * time.Minute, 115 * time.Second, 90 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := Token{Access: "a", Issued: issued, AccessExpires: issued.Add(tt.lifetime)}
			if got := tok.RenewAt(tt.margin).Sub(issued); got != tt.want {
				t.Errorf("renewAt = issue + %v, want issue + %v", got, tt.want)
			}
		})
	}
}
