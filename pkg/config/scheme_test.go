package config

import (
	"errors"
	"strings"
	"testing"
)

// TestPBXScheme: a plain-HTTP PBX sends the client secret (get_token body)
// and every token unencrypted, so it is refused unless PBX_ALLOW_HTTP=true,
// whatever the case of the scheme.
func TestPBXScheme(t *testing.T) {
	tests := []struct {
		name      string
		url       string
		allowHTTP string // PBX_ALLOW_HTTP; "" leaves it unset
		wantVar   string // the variable the *Error names; "" means accepted
		wantAllow bool   // Config.PBXAllowHTTP
		insecure  bool   // Config.InsecureScheme
	}{
		{name: "https", url: "https://pbx.example.com:8088"},
		{name: "https mixed case", url: "Https://pbx.example.com:8088"},
		{name: "HTTPS upper case", url: "HTTPS://pbx.example.com:8088"},
		{name: "https with PBX_ALLOW_HTTP", url: "https://pbx.example.com", allowHTTP: "true", wantAllow: true},
		{name: "http refused", url: "http://pbx.example.com:8088", wantVar: "PBX_BASE_URL"},
		{name: "HTTP upper case refused", url: "HTTP://pbx.example.com:8088", wantVar: "PBX_BASE_URL"},
		{name: "Http mixed case refused", url: "Http://pbx.example.com", wantVar: "PBX_BASE_URL"},
		{name: "http with PBX_ALLOW_HTTP=false refused", url: "http://pbx.example.com", allowHTTP: "false", wantVar: "PBX_BASE_URL"},
		{name: "http allowed", url: "http://127.0.0.1:9000", allowHTTP: "true", wantAllow: true, insecure: true},
		{name: "HTTP upper case allowed", url: "HTTP://127.0.0.1:9000", allowHTTP: "true", wantAllow: true, insecure: true},
		{name: "PBX_ALLOW_HTTP padded", url: "http://127.0.0.1:9000", allowHTTP: " true ", wantAllow: true, insecure: true},
		{name: "PBX_ALLOW_HTTP not a boolean", url: "http://127.0.0.1:9000", allowHTTP: "yes please", wantVar: "PBX_ALLOW_HTTP"},
		{name: "ftp refused even when HTTP is allowed", url: "ftp://pbx.example.com", allowHTTP: "true", wantVar: "PBX_BASE_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := env(map[string]string{"PBX_BASE_URL": tt.url, "PBX_ALLOW_HTTP": tt.allowHTTP})
			got, err := Load(lookup(e))
			if tt.wantVar != "" {
				var ce *Error
				if !errors.As(err, &ce) || ce.Var != tt.wantVar {
					t.Fatalf("Load = %v, want a *config.Error naming %s", err, tt.wantVar)
				}
				if !strings.Contains(err.Error(), tt.wantVar) {
					t.Errorf("error %q does not name %s", err, tt.wantVar)
				}
				if tt.wantVar == "PBX_BASE_URL" && strings.HasPrefix(strings.ToLower(tt.url), "http:") &&
					!strings.Contains(err.Error(), "PBX_ALLOW_HTTP=true") {
					t.Errorf("error %q does not say how to allow plain HTTP", err)
				}
				if got != (Config{}) {
					t.Errorf("Load returned %+v with its error, want a zero Config", redact(got))
				}
				return
			}
			if err != nil {
				t.Fatalf("Load = %v", err)
			}
			if got.PBXAllowHTTP != tt.wantAllow {
				t.Errorf("PBXAllowHTTP = %v, want %v", got.PBXAllowHTTP, tt.wantAllow)
			}
			if got.InsecureScheme() != tt.insecure {
				t.Errorf("InsecureScheme() = %v, want %v", got.InsecureScheme(), tt.insecure)
			}
		})
	}
}
