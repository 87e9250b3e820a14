package redact_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/redact"
)

const secretValue = "S3CRETtoken0123456789"

// TestParamsPercentEncoded: the fallback patterns see through percent
// encoding of the name, the '=' and nesting in another parameter's value.
func TestParamsPercentEncoded(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"encoded underscore", "x?access%5Ftoken=" + secretValue + "&id=1", "x?access%5Ftoken=REDACTED&id=1"},
		{"encoded lower-case hex", "x?refresh%5ftoken=" + secretValue, "x?refresh%5ftoken=REDACTED"},
		{"every byte encoded", "x?%61%63%63%65%73%73%5f%74%6f%6b%65%6e=" + secretValue, "x?%61%63%63%65%73%73%5f%74%6f%6b%65%6e=REDACTED"},
		{"nested in a redirect", "/login?next=%2Fx%3Faccess_token%3D" + secretValue + "%26id%3D1",
			"/login?next=%2Fx%3Faccess_token%3DREDACTED%26id%3D1"},
		{"nested twice", "/a?next=%252Fx%253Faccess_token%253D" + secretValue + "%2526id%253D1",
			"/a?next=%252Fx%253Faccess_token%253DREDACTED%2526id%253D1"},
		{"encoded value", "x?password=%53%45" + secretValue + "&y=2", "x?password=REDACTED&y=2"},
		{"upper-case encoded name", "x?CLIENT%5FSECRET=" + secretValue, "x?CLIENT%5FSECRET=REDACTED"},
		{"plain", "x?access_token=" + secretValue, "x?access_token=REDACTED"},
		{"unrelated encoded text is kept", "file=a%2Bb%26c.wav&id=1", "file=a%2Bb%26c.wav&id=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := redact.Params(tt.in)
			if got != tt.want {
				t.Errorf("Params(%q) = %q, want %q", tt.in, got, tt.want)
			}
			// The Redactor applies the same patterns.
			if r := redact.New().String(tt.in); r != tt.want {
				t.Errorf("Redactor.String(%q) = %q, want %q", tt.in, r, tt.want)
			}
		})
	}
}

func TestURL(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"access_token", "https://pbx:8088/api/download/x.wav?access_token=" + secretValue,
			"https://pbx:8088/api/download/x.wav?access_token=REDACTED"},
		{"access_token among others", "https://pbx/openapi/v1.0/recording/download?access_token=" + secretValue + "&file=a+b.wav",
			"https://pbx/openapi/v1.0/recording/download?access_token=REDACTED&file=a+b.wav"},
		{"refresh_token", "https://pbx/x?refresh_token=" + secretValue, "https://pbx/x?refresh_token=REDACTED"},
		{"password", "https://pbx/x?password=" + secretValue, "https://pbx/x?password=REDACTED"},
		{"repeated token", "https://pbx/x?access_token=" + secretValue + "&access_token=" + secretValue, "https://pbx/x?access_token=REDACTED"},
		{"no secret is left alone", "https://pbx/x?id=1&file=a%2Bb+c.wav", "https://pbx/x?id=1&file=a%2Bb+c.wav"},
		{"userinfo password", "https://admin:" + secretValue + "@pbx/x", "https://admin:xxxxx@pbx/x"},
		{"semicolon separator", "https://pbx/x?a=1;access_token=" + secretValue, "https://pbx/x?REDACTED"},
		{"unparsable URL", "http://[::1/x?access_token=" + secretValue, "http://[::1/x?REDACTED"},
		{"unparsable escape", "http://pbx/%zz?refresh_token=" + secretValue, "http://pbx/%zz?REDACTED"},
		{"unparsable without query", "http://[::1/x", "http://[::1/x"},
		{"in the fragment", "https://h/x#access_token=" + secretValue, "https://h/x#access_token=REDACTED"},
		{"as the user name", "https://access_token=" + secretValue + "@h/x", "https://access_token=REDACTED"},
		{"upper case", "https://h/x?ACCESS_TOKEN=" + secretValue, "https://h/x?ACCESS_TOKEN=REDACTED"},
		{"inside another value", "https://h/x?a=b?access_token=" + secretValue, "https://h/x?a=b?access_token=REDACTED"},
		{"encoded name", "https://h/x?access%5Ftoken=" + secretValue, "https://h/x?access_token=REDACTED"},
		{"nested in a redirect", "https://h/login?next=%2Fx%3Faccess_token%3D" + secretValue,
			"https://h/login?next=%2Fx%3Faccess_token%3DREDACTED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := redact.URL(tt.in)
			if got != tt.want {
				t.Errorf("URL(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if strings.Contains(got, secretValue) {
				t.Errorf("URL(%q) kept the secret", tt.in)
			}
		})
	}
}

func TestError(t *testing.T) {
	in := &url.Error{Op: "Get", URL: "https://pbx/x?access_token=" + secretValue, Err: context.DeadlineExceeded}
	got := redact.Error(in)
	if strings.Contains(got.Error(), secretValue) || !strings.Contains(got.Error(), "access_token=REDACTED") {
		t.Errorf("Error = %q, want the URL masked", got)
	}
	if !errors.Is(got, context.DeadlineExceeded) {
		t.Errorf("Error lost the cause: %v", got)
	}
	plain := errors.New("no URL here")
	if redact.Error(plain) != plain { //nolint:errorlint // the same value must come back, not a wrapper
		t.Error("an error without a *url.Error was replaced")
	}
}
