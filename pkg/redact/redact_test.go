package redact_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/recording-sync/recording-sync/pkg/redact"
)

const (
	token  = "WQMR0cuirhX264oZMa9pV03T9li924NS"
	secret = "client-secret-0123456789"
)

func TestString(t *testing.T) {
	r := redact.New(secret)
	r.Add(token)
	r.Add("short") // too short to register: it would mask ordinary words
	tests := []struct{ in, want string }{
		{"Get \"https://pbx/api/download/x.wav?access_token=" + token + "\": EOF", "Get \"https://pbx/api/download/x.wav?access_token=REDACTED\": EOF"},
		{"token " + token + " refused", "token REDACTED refused"},
		{"login with " + secret, "login with REDACTED"},
		{"?refresh_token=unknownvalue123&x=1", "?refresh_token=REDACTED&x=1"},
		{`{"access_token":"unregistered-token-value","errcode":0}`, `{"access_token":"REDACTED","errcode":0}`},
		{`{"password": "p@ss\"word"}`, `{"password": "REDACTED"}`},
		{"a short word", "a short word"},
		{"ACCESS_TOKEN=abcdefgh", "ACCESS_TOKEN=REDACTED"},
		{"nothing secret here", "nothing secret here"},
	}
	for _, tt := range tests {
		if got := r.String(tt.in); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

type stringer struct{}

func (stringer) String() string { return "stringer " + token }

func TestHandler(t *testing.T) {
	var buf bytes.Buffer
	r := redact.New(secret, token)
	log := slog.New(r.Handler(slog.NewJSONHandler(&buf, nil))).With("preset", "with "+secret)
	log.Error("failed with "+token,
		"error", errors.New("Get https://pbx/x?access_token="+token),
		"wrapped", fmt.Errorf("login: %w", errors.New(secret)),
		"stringer", stringer{},
		slog.Group("g", slog.String("inner", token), slog.Int("n", 7)),
		"plain", "kept",
	)
	out := buf.String()
	for _, s := range []string{token, secret} {
		if strings.Contains(out, s) {
			t.Errorf("log line leaks a secret: %s", out)
		}
	}
	for _, want := range []string{`"plain":"kept"`, `"n":7`, `"msg":"failed with REDACTED"`, `"preset":"with REDACTED"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log line %s lacks %s", out, want)
		}
	}
}

func TestConcurrentAdd(t *testing.T) {
	r := redact.New()
	done := make(chan struct{})
	go func() {
		for i := range 200 {
			r.Add(fmt.Sprintf("secret-value-%04d", i))
		}
		close(done)
	}()
	for i := 0; i < 200; i++ {
		_ = r.String("secret-value-0001 and more")
	}
	<-done
	if got := r.String("x secret-value-0199 y"); got != "x REDACTED y" {
		t.Errorf("got %q", got)
	}
}

// TestHandlerKeepsJSON: a JSON document (the metrics' _aws member) stays
// JSON in the line, redacted.
func TestHandlerKeepsJSON(t *testing.T) {
	var buf bytes.Buffer
	r := redact.New(secret)
	log := slog.New(r.Handler(slog.NewJSONHandler(&buf, nil)))
	log.Info("m", "_aws", json.RawMessage(`{"Timestamp":1,"Note":"`+secret+`"}`))
	if want := `"_aws":{"Timestamp":1,"Note":"REDACTED"}`; !strings.Contains(buf.String(), want) {
		t.Errorf("line %s lacks %s", buf.String(), want)
	}
}
